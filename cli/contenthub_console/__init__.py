"""The operator console: a small web app on 127.0.0.1 over the ContentHub API (`contenthub console`).

Server-rendered pages (Starlette + Jinja2, autoescaped), a little JavaScript from static files (no
inline scripts), htmx and uPlot vendored under static/. The server calls the API with the CLI's
client, so a deployed API is signed with SigV4 on the server; no credential reaches the browser.
"""
