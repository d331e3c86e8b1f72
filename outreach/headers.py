"""Security headers on every response: a strict Content-Security-Policy, framing refused, HSTS in production.

Scripts and styles come only from this site's own files ('self'): no inline <script>, no on*= handler, no
style="..." attribute anywhere (templates put behaviour in static/outreach.js and looks in the CSS files).
A service worker and a web app manifest from 'self' are allowed too.
"""
from __future__ import annotations

from flask import Flask

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # Bootstrap draws a few icons (the menu button, select arrows) as data: SVG in its CSS
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
#: HSTS in production: one year (at least the 180 days browsers' preload lists ask for)
HSTS = "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    policy = app.config.get("CONTENT_SECURITY_POLICY") or CONTENT_SECURITY_POLICY
    production = app.config.get("OUTREACH_ENV") == "production"

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
