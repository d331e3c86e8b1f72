"""The WSGI entry point: gunicorn 'wsgi:app', flask --app wsgi ..."""
import sys

from outreach.app import create_app
from outreach.config import SettingsError

try:
    app = create_app()
except SettingsError as error:
    # a wrong setting is said in one clear message, not a traceback; gunicorn stops ("Worker failed to boot")
    print(error, file=sys.stderr)
    raise SystemExit(3) from None
