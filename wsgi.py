"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`.

No database connection is opened here: the engine connects lazily, so each gunicorn
worker opens its own connections after the fork.
"""

from blog import create_app

app = create_app()
if app.debug:
    # The interactive debugger runs code for anyone who can reach it.
    raise RuntimeError("refusing to serve with debug on under a WSGI server; unset BLOG_DEBUG")
