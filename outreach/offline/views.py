"""The web app manifest, the service worker (served from the site root so that its scope covers every page) and
the page a phone shows for a page it has not kept while offline."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for

from outreach.extensions import bootstrap
from outreach.i18n import _, current_language

bp = Blueprint("offline", __name__)

THEME_COLOUR = "#1f3a5f"  # --outreach-primary in outreach.css
BACKGROUND_COLOUR = "#ffffff"
#: The app's own static files every page needs, kept on the phone by the service worker.
SHELL_FILES = ("outreach.css", "outreach.js", "js/offline-store.js", "js/app.js", "js/attendance.js", "js/answers.js",
               "icons/icon-192.png", "icons/icon-512.png", "icons/maskable-192.png", "icons/maskable-512.png",
               "icons/apple-touch-icon.png")


@bp.route("/manifest.webmanifest")
def manifest():
    body = {
        "id": "/",
        "name": "Outreach",
        "short_name": "Outreach",
        "description": _("Arts education for young people across Kazakhstan"),
        "lang": current_language(),
        "start_url": url_for("home.index"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": url_for("static", filename="icons/icon-192.png"), "sizes": "192x192", "type": "image/png",
             "purpose": "any"},
            {"src": url_for("static", filename="icons/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
            {"src": url_for("static", filename="icons/maskable-192.png"), "sizes": "192x192", "type": "image/png",
             "purpose": "maskable"},
            {"src": url_for("static", filename="icons/maskable-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


def shell_urls() -> list[str]:
    """What the worker keeps for every page: Bootstrap's files, ours, and the offline page."""
    bootstrap_html = str(bootstrap.load_css()) + str(bootstrap.load_js())
    urls = re.findall(r'(?:href|src)="(/[^"]+)"', bootstrap_html)
    urls += [url_for("static", filename=name) for name in SHELL_FILES]
    return urls


@bp.route("/sw.js")
def service_worker():
    """The worker's code with the list of shell files (their URLs may carry content hashes) in front of it; the
    list's hash is its version, so a new deployment's worker replaces the old one and its caches."""
    code = (Path(current_app.static_folder) / "js" / "sw.js").read_text(encoding="utf-8")
    config = {"shell": shell_urls(), "offline": url_for("offline.offline_page"), "login": url_for("auth.login"),
              "store": url_for("static", filename="js/offline-store.js")}
    version = hashlib.sha256((json.dumps(config) + code).encode()).hexdigest()[:12]
    config["version"] = version
    body = f"self.OUTREACH_SW = {json.dumps(config)};\n{code}"
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/offline")
def offline_page():
    return render_template("offline/offline.html")
