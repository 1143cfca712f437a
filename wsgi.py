"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`.

No database connection is opened here: the engine connects lazily, so each gunicorn
worker opens its own connections after the fork.
"""

from blog import create_app

app = create_app()
