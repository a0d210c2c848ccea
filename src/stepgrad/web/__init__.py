"""Watch a network learn: a local web page driven by stepgrad's own engine.

* ``config``   — what a page may ask for (dataset, layers, optimizer …), validated, with caps;
* ``session``  — one browser tab's training run: data, network, optimizer state, frames;
* ``stepthrough`` — the explain layer's derivation of one update, as the page shows it;
* ``protocol`` — the WebSocket messages, checked for shape, size, order and rate;
* ``app``      — the Starlette application (page, static files, WebSocket, Origin/Host checks);
* ``server``   — running it with uvicorn; ``export`` — a self-contained replay page.

The page (``static/``) only draws what the server sends: every number, every derivation
step, comes from the core and the explain layer.
Starlette and uvicorn are imported only by ``app`` and ``server``.
"""
