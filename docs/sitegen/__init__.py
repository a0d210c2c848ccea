"""The documentation site's generated pages: each is built from the code at `mkdocs build` time.

``hooks.py`` is the MkDocs hook that adds them to the site; each other module owns one page (or
one family of pages) and returns its Markdown, so the tests can compare a page with its source
(``tests/docs``).
"""
