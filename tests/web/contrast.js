/* Every visible text's contrast with what is behind it, from computed styles (WCAG 2.1 relative
   luminance): colour and opacity of the text and its ancestors, over the nearest background colour
   (or, for a bias node's letters, its circle). Returns [{text, ratio, cls}]. Run with page.evaluate. */
() => {
  const parse = (c) => {
    const m = c.match(/[\d.]+/g).map(Number);
    return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1];
  };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const over = (fg, bg, a) => [0, 1, 2].map((k) => fg[k] * a + bg[k] * (1 - a));
  const opacity = (el) => { let o = 1; for (let e = el; e && e.nodeType === 1; e = e.parentElement) o *= Number(getComputedStyle(e).opacity); return o; };
  const background = (el) => {
    if (el instanceof SVGElement) {
      const g = el.closest(".bias-node");
      if (g) { const c = g.querySelector("circle"); return over(parse(getComputedStyle(c).fill), [255, 255, 255], opacity(c)); }
    }
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) return c;
    }
    return [255, 255, 255];
  };
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (el.closest("[hidden], title, script, style, option, button:disabled, select:disabled, .offline")) continue;
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    if (r.width === 0 || s.visibility === "hidden" || s.display === "none") continue;
    const color = parse(el instanceof SVGElement ? s.fill : s.color);
    const bg = background(el);
    const fg = over(color, bg, color[3] * opacity(el));
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    found.push({ text: node.textContent.trim().slice(0, 30), ratio: (a + 0.05) / (b + 0.05), cls: el.getAttribute("class") || el.tagName });
  }
  return found;
}
