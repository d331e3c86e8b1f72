"""Every page reachable by every role, in Kazakh and in Russian, shows no English words, no title wrapped in a
second pair of «», no markup as text — and neither do the validation messages of its forms when submitted empty."""
from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

from outreach.extensions import db
from tests.conftest import Csrf

# Proper names, codes and technical words a person may legitimately see in any language.
ALLOWED = {
    "outreach", "nomad", "arts", "foundation", "kz", "csv", "xlsx", "xls", "pdf", "ics", "ical", "icalendar", "api",
    "url", "svg", "utc", "gmt", "png", "excel", "email", "english", "qr", "id", "json", "smtp",
}
SKIP_PATHS = ("/logout", "/static/", "/bootstrap/", "/api/", "/invitation/")
SKIP_SUFFIXES = (".csv", ".xlsx", ".pdf", ".ics", ".json")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
URL = re.compile(r"https?://\S+|/[\w/.-]*\?\S*")
WORD = re.compile(r"[A-Za-z]{3,}")
# what reads as a bug in any language: a title in «» wrapped in a second pair (nested quotes are «„…“»), and
# markup shown as text (a fallback mark's <span> inside <title>)
READS_BROKEN = re.compile(r"««|»»|„„|““|<[a-z]+[\s>/]")
MAX_PAGES_PER_ROLE = 80
MAX_PER_PATTERN = 2


class PageText(HTMLParser):
    """Visible text (and placeholders, labels of buttons), links and forms of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._skip = 0
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style", "template", "textarea"):  # textarea: what a person typed
            self._skip += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for attr in ("placeholder", "title", "aria-label", "alt"):
            if a.get(attr):
                self.text.append(a[attr])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.text.append(a["value"])
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "",
                          "inputs": []}
            self.forms.append(self._form)
        if tag in ("input", "textarea", "select") and self._form is not None:
            self._form["inputs"].append((a.get("type") or tag, a.get("name"), a.get("value")))

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template", "textarea") and self._skip:
            self._skip -= 1
        if tag == "form":
            self._form = None

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data)


def english_words(texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        text = URL.sub(" ", EMAIL.sub(" ", text))
        for word in WORD.findall(text):
            if word.lower() not in ALLOWED:
                found.add(word)
    return found


def pattern(path: str) -> str:
    parts = urlsplit(path)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(sorted(k.split("=")[0] for k in parts.query.split("&")))
                                              if parts.query else "")


def crawl(client, lang: str):
    """Breadth-first over the site's own links; yields (path, parsed page)."""
    seen_patterns: Counter = Counter()
    queue, seen = deque(["/"]), set()
    while queue and len(seen) < MAX_PAGES_PER_ROLE:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, headers={"Accept-Language": lang})
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        page = PageText()
        page.feed(response.get_data(as_text=True))
        yield path, page
        for href in page.links:
            target = urljoin(path, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or href.startswith("#") or "lang=" in parts.query:
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local.startswith(SKIP_PATHS) or parts.path.endswith(SKIP_SUFFIXES):
                continue
            key = pattern(local)
            if seen_patterns[key] >= MAX_PER_PATTERN:
                continue
            seen_patterns[key] += 1
            queue.append(local)


TEXT_INPUTS = {"text", "email", "number", "date", "datetime-local", "time", "textarea", "password", "search", "tel"}


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize("email", ["admin@example.org", "coordinator@example.org", "school@example.org",
                                   "funder@example.org", "artist@example.org", None])
def test_no_english_on_any_page(app, seeded, lang, email):
    client = app.test_client()
    client.get(f"/?lang={lang}")  # the language is remembered in the session
    if email:
        response = client.post("/login", data={"email": email, "password": seeded.DEMO_PASSWORD,
                                               "csrf_token": Csrf.token(client)})
        assert response.status_code == 302
    problems: dict[str, set[str]] = {}
    pages = 0
    for path, page in crawl(client, lang):
        pages += 1
        words = english_words(page.text)
        broken = {match.group(0) for text in page.text for match in READS_BROKEN.finditer(text)}
        if words or broken:
            problems[path] = words | broken
        # submit each form that asks for typed input, empty, and read its validation messages
        for form in page.forms:
            if form["method"] != "post" or "logout" in form["action"]:
                continue
            if not any(kind in TEXT_INPUTS for kind, _name, _value in form["inputs"]):
                continue
            data = {name: value for kind, name, value in form["inputs"]
                    if name and kind == "hidden" and value is not None}
            response = client.post(urljoin(path, form["action"]) or path, data=data)
            # a redirect's body is Werkzeug's, never shown to a person (an attendance sheet saved empty is a save)
            if "text/html" in response.content_type and response.status_code < 500 and not response.location:
                result = PageText()
                result.feed(response.get_data(as_text=True))
                words = english_words(result.text)
                if words:
                    problems[f"POST {form['action'] or path} (empty form)"] = words
            db.session.rollback()
    assert pages >= (5 if email else 2)
    assert not problems, f"English words, doubled quotes or markup on {lang} pages: " + "; ".join(
        f"{path}: {sorted(words)[:12]}" for path, words in sorted(problems.items()))


def test_the_page_checks_catch_what_the_review_found(client, login):
    """A title held only in Russian, read in Kazakh: the page's <title> is the text (the fallback mark is for the
    page body), and the checks above would refuse ««…»» and markup shown as text."""
    from tests.factories import make_workshop

    workshop = make_workshop(title={"ru": "Театральная импровизация"})
    db.session.commit()
    login("coordinator")
    html = client.get(f"/workshops/{workshop.id}?lang=kk").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Театральная импровизация · "), title
    page = PageText()
    page.feed(html)
    assert not {m.group(0) for text in page.text for m in READS_BROKEN.finditer(text)}
    assert 'lang="ru"' in html and "fallback-mark" in html  # the body still marks the fallback
    for text in ["««Аққу көлі» — мектептерге»", '&lt;span lang="ru"&gt;', '<span lang="ru">Театр</span>']:
        assert READS_BROKEN.search(text.replace("&lt;", "<").replace("&gt;", ">")), text
    assert not READS_BROKEN.search("«„Аққу көлі“ — мектептерге» · 5 < 10 · 3<4")
