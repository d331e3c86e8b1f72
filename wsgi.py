"""The WSGI entry point: gunicorn 'wsgi:app', flask --app wsgi ..."""
from outreach import create_app

app = create_app()
