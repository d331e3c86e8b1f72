"""The WSGI app bench/pages.py loads under gunicorn: Outreach, plus a Flask hello-world at /__hello.

Both answer from the same workers, so the hello-world's requests per second are measured under the
same server, the same load and the same machine as every page it is compared with.
"""
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from bench.hello import hello
from outreach.app import create_app

outreach_app = create_app({"RATELIMIT_ENABLED": False})  # OUTREACH_CACHE=0 in the environment: no page cache
app = DispatcherMiddleware(outreach_app, {"/__hello": hello})
