"""A Flask app that answers every GET with the same ~20 KB HTML page.

It is the ceiling for any Flask page on this machine: routing, a response object and
gunicorn's sync worker, with no template, no database and no session. `bench/run.py`
serves it under the same gunicorn settings as the site and reports every page's
requests/s as a ratio to this one, measured in the same run.

    .venv/bin/gunicorn -w 2 -b 127.0.0.1:8001 bench.constant_app:app
"""

from flask import Flask, Response

PARAGRAPH = (
    "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
    "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
    "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>\n"
)


def build_page(size: int = 20_000) -> bytes:
    head = "<!doctype html>\n<html lang=en><head><meta charset=utf-8><title>Constant</title>"
    head += "</head><body><main>\n"
    tail = "</main></body></html>\n"
    body = PARAGRAPH * ((size - len(head) - len(tail)) // len(PARAGRAPH) + 1)
    return (head + body + tail).encode()


PAGE = build_page()

app = Flask(__name__)


@app.get("/", defaults={"path": ""})
@app.get("/<path:path>")
def constant(path: str) -> Response:
    return Response(PAGE, mimetype="text/html")
