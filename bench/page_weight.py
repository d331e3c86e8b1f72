"""Bytes on the wire for a first (cold) and a later (warm) visit, measured in Chromium through the DevTools protocol.

    .venv/bin/python bench/page_weight.py            # prints a table; --json for the numbers

The app runs in-process on a loopback port (gunicorn is not needed: WhiteNoise sits in the WSGI app, so the static
answers are the production ones) over a fresh SQLite file with the demo data. "Cold" is a new browser profile
opening the sign-in page in Kazakh; "warm" is the same profile opening a page again (the sign-in page, then the
coordinator's dashboard after signing in). Bytes are `encodedDataLength` summed over every response: headers and
body as they travelled (compressed when the server compressed them), as Chrome's network panel counts them.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-quic", "--no-first-run", "--disable-sync"]


class Wire:
    """Sums encodedDataLength per response of one page, through CDP."""

    def __init__(self, page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.requests: dict[str, str] = {}
        self.bytes: dict[str, int] = {}
        self.cached: set[str] = set()
        self.cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        self.cdp.on("Network.responseReceived", lambda e: self.cached.add(e["requestId"])
                    if e["response"].get("fromDiskCache") or e["response"].get("fromPrefetchCache") else None)
        self.cdp.on("Network.requestWillBeSent", lambda e: self.requests.__setitem__(e["requestId"], e["request"]["url"]))
        self.cdp.on("Network.loadingFinished",
                    lambda e: self.bytes.__setitem__(e["requestId"], int(e["encodedDataLength"])))

    def reset(self) -> None:
        self.requests.clear()
        self.bytes.clear()
        self.cached.clear()

    def total(self) -> tuple[int, list[tuple[str, int]]]:
        """Bytes over the network; files taken from the browser's cache (no request at all) are left out."""
        rows = [(self.requests.get(rid, "?"), size) for rid, size in self.bytes.items()
                if rid not in self.cached and not self.requests.get(rid, "").startswith("data:")]
        return sum(size for _url, size in rows), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from outreach import demo
    from outreach.app import create_app
    from outreach.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="page-weight-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'weight.sqlite'}", "SECRET_KEY": "bench",
                      "RATELIMIT_STORAGE_URI": "memory://", "STATIC_BUILD_DIR": str(tmp / "static")})
    with app.app_context():
        upgrade()
        demo.seed()
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    results: dict[str, dict] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            # the service worker (issue 14) answers warm pages from its own fetches, which the page's DevTools
            # session does not see: it is blocked here, so every byte the pages cost is counted
            context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
            page = context.new_page()
            wire = Wire(page)

            def visit(name: str, url: str) -> None:
                wire.reset()
                page.goto(url, wait_until="networkidle")
                total, rows = wire.total()
                results[name] = {"bytes": total, "requests": len(rows), "from_cache": len(wire.cached),
                                 "responses": sorted(((u.replace(base, ""), b) for u, b in rows), key=lambda r: -r[1])}

            visit("cold sign-in page", f"{base}/login?lang=kk")
            visit("warm sign-in page", f"{base}/login?lang=kk")
            page.fill("input[name=email]", "coordinator@example.org")
            page.fill("input[name=password]", demo.DEMO_PASSWORD)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            visit("warm dashboard (coordinator)", f"{base}/?lang=kk")
            visit("warm workshop list (coordinator)", f"{base}/workshops?lang=kk")
            browser.close()
    finally:
        server.shutdown()
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    for name, r in results.items():
        print(f"{name:34} {r['bytes'] / 1024:7.1f} KB in {r['requests']} request(s); "
              f"{r['from_cache']} file(s) from the browser cache without a request")
        for url, size in r["responses"]:
            print(f"    {size / 1024:7.1f} KB  {url}")


if __name__ == "__main__":
    main()
