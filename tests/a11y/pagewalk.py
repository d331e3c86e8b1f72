"""Walk every GET page of the route table as every role in a real browser, run axe-core on each at phone and
desktop width, and keep each page's HTML for the Nu HTML checker (run once over all of them, it starts slowly).

Tools come from npm (`make test` installs package.json's devDependencies into node_modules/): axe-core is
injected into the page from that file, never from a CDN; vnu.jar needs Java (the Makefile installs it).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from outreach.extensions import db
from tests.test_routes_table import expected_for

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
WIDTHS = (390, 1280)
ROLES = ("anonymous", "admin", "coordinator", "school", "funder", "artist")
EMAILS = {"admin": "admin@example.org", "coordinator": "coordinator@example.org", "school": "school@example.org",
          "funder": "funder@example.org", "artist": "artist@example.org"}
NOT_PAGES = ("/api/", "/static/", "/reports/static/", "/bootstrap/")
NOT_PAGE_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics", ".json")
FILES = {"students.consent_form", "students.import_template"}   # downloads, not pages
# pages walked in Russian and English too (the whole walk runs in Kazakh): the home page and the first forms
SAMPLE_PATHS = ("/", "/login", "/account", "/students/import", "/workshops/new-series", "/signups/browse",
                "/reports/impact")

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                          rules: {'label-content-name-mismatch': {enabled: true}}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5), count: v.nodes.length}));
}"""


@dataclass
class Walk:
    pages: list[tuple[str, str, str]] = field(default_factory=list)       # (role, lang, path) checked
    violations: list[dict] = field(default_factory=list)                 # every axe violation, all impacts
    unreachable: list[str] = field(default_factory=list)                 # pages the table says are 200, but were not
    html_dir: Path | None = None
    seconds: float = 0.0
    axe_seconds: float = 0.0

    def failing(self) -> list[dict]:
        return [v for v in self.violations if v["impact"] in FAILING_IMPACTS]


def page_paths(rows, role: str, ids: dict) -> list[str]:
    """The GET pages of the route table that answer 200 to `role`, with the placeholders filled."""
    paths = []
    for row in rows:
        method, path, _expected, endpoint = row[0], row[1], row[2], row[3]
        if method != "GET" or expected_for(current_app, row, role) != 200 or endpoint in FILES:
            continue
        try:
            url = path.format(**ids)
        except KeyError as missing:
            raise AssertionError(f"the page walk has no id for {missing} in {path}: add it to demo_ids()") from None
        bare = url.split("?")[0]
        if url.startswith(NOT_PAGES) or bare.endswith(NOT_PAGE_SUFFIXES):
            continue
        if url not in paths:
            paths.append(url)
    if role in ("admin", "coordinator"):
        paths.append(f"/workshops/{ids['past_workshop_id']}/attendance")   # a form to fill, not the "not yet" note
        paths.append(f"/workshops/{ids['past_workshop_id']}")
    if role == "artist":  # the teaching artist's own last workshop: its attendance form and its page
        paths.append(f"/workshops/{ids['artist_past_workshop_id']}/attendance")
        paths.append(f"/workshops/{ids['artist_past_workshop_id']}")
    return paths


def demo_ids() -> dict:
    """Ids in the demo data each role may see, so every page shows real content."""
    from outreach.auth.models import User
    from outreach.dbtypes import utcnow
    from outreach.initiatives.models import Initiative
    from outreach.students.models import Student
    from outreach.workshops.models import Workshop

    users = {u.email: u for u in db.session.scalars(select(User))}
    school_user, funder_user = users["school@example.org"], users["funder@example.org"]
    initiative = next(i for i in db.session.scalars(select(Initiative).order_by(Initiative.id))
                      if any(f.id == funder_user.funder_id for f in i.funders))
    now = utcnow()
    upcoming = db.session.scalars(select(Workshop).where(Workshop.initiative_id == initiative.id,
                                                         Workshop.starts_at > now).order_by(Workshop.starts_at)).first()
    past = db.session.scalars(select(Workshop).where(Workshop.ends_at < now)
                              .order_by(Workshop.starts_at.desc())).first()
    artist_past = db.session.scalars(select(Workshop).where(Workshop.ends_at < now,
                                                            Workshop.artist_id == users["artist@example.org"].artist_id)
                                     .order_by(Workshop.starts_at.desc())).first()
    student = db.session.scalars(select(Student).where(Student.school_id == school_user.school_id)
                                 .order_by(Student.id)).first()
    # a teacher's one-time link (only its hash is stored, so the walk makes one whose token it knows)
    import hashlib
    from datetime import timedelta

    from outreach.outcomes.models import Questionnaire, TeacherLink

    token = "pagewalk-teacher-link"
    asked = select(Questionnaire.initiative_id).where(Questionnaire.audience == "teachers")
    taught = db.session.scalars(select(Workshop).where(Workshop.ends_at < now, Workshop.initiative_id.in_(asked))
                                .order_by(Workshop.starts_at.desc())).first() or past
    link = db.session.scalar(select(TeacherLink).where(TeacherLink.workshop_id == taught.id,
                                                       TeacherLink.school_id == school_user.school_id))
    if link is None:
        link = TeacherLink(workshop_id=taught.id, school_id=school_user.school_id, token_hash="")
        db.session.add(link)
    link.token_hash, link.answered_at, link.answers = hashlib.sha256(token.encode()).hexdigest(), None, None
    link.expires_at = now + timedelta(days=7)
    db.session.commit()
    return {"feedback_token": token, "school_user_id": school_user.id, "school_id": school_user.school_id, "funder_id": funder_user.funder_id, "initiative_id": initiative.id,
            "workshop_id": upcoming.id, "past_workshop_id": past.id, "artist_past_workshop_id": artist_past.id,
            # the route table's "another artist's workshop" rows: the walk visits the same page as workshop_id's
            "other_workshop_id": upcoming.id,
            "student_id": student.id,
            "artist_id": upcoming.artist_id, "venue_id": upcoming.venue_id,
            "feed_token": users["coordinator@example.org"].feed_token}


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_port}"


def slug(role: str, lang: str, path: str) -> str:
    return f"{role}-{lang}-" + (re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home")


def sign_in(page, base: str, role: str, password: str) -> None:
    page.goto(f"{base}/login?lang=kk")
    page.fill("input[name=email]", EMAILS[role])
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/**")
    page.goto(f"{base}/?lang=kk")   # the walk is in Kazakh whatever the account's saved language


CSV_HEADER = "Тегі,Аты,Сынып,Жынысы,Заңды өкіл,Туыстығы\n"


def _upload(page, base: str, rows: str) -> None:
    page.goto(f"{base}/students/import?lang=kk")
    page.set_input_files("input[type=file]", {"name": "roster.csv", "mimeType": "text/csv",
                                              "buffer": (CSV_HEADER + rows).encode()})
    page.click("form.import-upload [type=submit]")
    page.wait_for_load_state()


def _submit_empty(path: str):
    def run(page, base: str) -> None:
        page.goto(f"{base}{path}?lang=kk")
        page.click("main form[method=post] [type=submit] >> nth=-1")
        page.wait_for_load_state()
    return run


# Pages that exist only after an action: forms sent with errors, an import preview (with errors, then valid).
STATES = {
    "anonymous": [("login-with-errors", _submit_empty("/login"))],
    "school": [
        ("import-preview-with-errors", lambda page, base: _upload(
            page, base, "Сейітова,Әлия,15,әйел,Сейітова Гүлнар,анасы\n,Ерлан,3,ер,,\n")),
        ("import-preview", lambda page, base: _upload(
            page, base, "Сейітова,Әлия,5,әйел,Сейітова Гүлнар,анасы\nОмаров,Ерлан,3,ер,Омаров Бек,әкесі\n")),
        ("student-form-with-errors", _submit_empty("/students/new")),
    ],
    "coordinator": [("series-form-with-errors", _submit_empty("/workshops/new-series")),
                    ("initiative-form-with-errors", _submit_empty("/initiatives/new"))],
}


def _check(page, result: "Walk", role: str, lang: str, path: str, width: int, html_dir: Path | None,
           body: bytes | None) -> None:
    if html_dir is not None:
        (html_dir / f"{slug(role, lang, path)}.html").write_bytes(body if body is not None
                                                                  else page.content().encode())
        result.pages.append((role, lang, path))
    started = time.monotonic()
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(AXE_RUN, WCAG_TAGS)
    result.axe_seconds += time.monotonic() - started
    for v in found:
        result.violations.append({**v, "role": role, "lang": lang, "path": path, "width": width})


def walk(app, browser, rows, html_dir: Path, roles=ROLES, widths=WIDTHS, sample_langs=("ru", "en")) -> Walk:
    """Seeds the demo data, walks the pages, returns what axe found; the HTML files land in html_dir.

    While fixing a page, A11Y_ONLY=/reports (a part of the path) walks only the matching pages."""
    import os

    from outreach import demo

    only = os.environ.get("A11Y_ONLY")

    started = time.monotonic()
    result = Walk(html_dir=html_dir)
    html_dir.mkdir(parents=True, exist_ok=True)
    demo.seed()
    db.session.commit()
    ids = demo_ids()
    server, thread, base = serve(app)
    try:
        for role in roles:
            paths = page_paths(rows, role, ids) if role != "anonymous" else page_paths(rows, role, ids)
            contexts = {w: browser.new_context(viewport={"width": w, "height": 900}, bypass_csp=True,
                                               locale="kk-KZ") for w in widths}
            try:
                pages = {w: ctx.new_page() for w, ctx in contexts.items()}
                if role != "anonymous":
                    for page in pages.values():
                        sign_in(page, base, role, demo.DEMO_PASSWORD)
                if only:
                    paths = [p for p in paths if only in p]
                work = [("kk", p) for p in paths]
                for lang in sample_langs:
                    work += [(lang, p) for p in paths if p.split("?")[0] in SAMPLE_PATHS]
                for lang, path in work:
                    url = f"{base}{path}{'&' if '?' in path else '?'}lang={lang}"
                    for index, (width, page) in enumerate(pages.items()):
                        if lang != "kk" and width != widths[0]:
                            continue   # the other languages: a sample at phone width
                        response = page.goto(url)
                        if response is not None and response.status == 200 and \
                                "text/html" not in response.headers.get("content-type", ""):
                            break   # a file the route table lists (manifest, service worker...), not a page
                        if response is None or response.status != 200:
                            result.unreachable.append(f"{role} {path}: {response.status if response else None}")
                            break
                        _check(page, result, role, lang, path, width, html_dir if index == 0 else None,
                               response.body() if index == 0 else None)
                for name, action in ([] if only else STATES.get(role, [])):
                    for index, (width, page) in enumerate(pages.items()):
                        action(page, base)
                        _check(page, result, role, "kk", f"({name})", width, html_dir if index == 0 else None, None)
            finally:
                for ctx in contexts.values():
                    ctx.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
    result.seconds = time.monotonic() - started
    return result


def nu_check(html_dir: Path) -> list[dict]:
    """The Nu HTML checker over every saved page at once; returns its error messages (with the file)."""
    java = shutil.which("java")
    assert java, "java is missing: `make test` installs default-jre-headless"
    run = subprocess.run([java, "-Xss8m", "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always",
                          "--skip-non-html", str(html_dir)], capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    return [{"file": Path(m.get("url", "")).name, "message": m.get("message", ""), "extract": m.get("extract", "")}
            for m in messages if m.get("type") == "error"]


def summary(violations: list[dict]) -> str:
    by_rule: dict[str, list[dict]] = {}
    for v in violations:
        by_rule.setdefault(f"{v['id']} ({v['impact']})", []).append(v)
    lines = []
    for rule, found in sorted(by_rule.items(), key=lambda kv: -len(kv[1])):
        example = found[0]
        lines.append(f"{rule}: {len(found)} page loads, e.g. {example['role']} {example['path']} "
                     f"@{example['width']}px {example['nodes'][:2]}")
    return "\n".join(lines)
