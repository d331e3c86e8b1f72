"""Every route × every role → the expected status, derived from the capability table (outreach/access.py).

Each domain lists its routes in tests/<domain>/routes.py as (method, path, expected, endpoint). What a role gets
comes from the capability the endpoint's view declares (`@requires(...)`):
- a role that does not hold it: 403;
- anonymous: the sign-in page (302) for a GET, 400 for a page's POST (no CSRF token, refused before anything
  else), 401 in the API;
- a role that holds it: `expected` — one status, or {"ok": status, <role>: status} where an object check (not
  the role) decides for that role: another school's, funder's or teaching artist's object is 404.
Public endpoints (access.PUBLIC) declare no capability; their rows give every role's status ({role: status}).
API rows are sent with each role's bearer token (the API ignores the session cookie).
Paths may use {placeholders} filled by the `objects` fixture below (ids of objects the roles may see).
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests
from outreach.access import CAPABILITIES, PUBLIC, capability_of
from outreach.auth.services import issue_api_token
from outreach.extensions import db

ROLES = ("anonymous", "admin", "coordinator", "school", "funder", "artist")


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def expected_for(app, row: tuple, role: str) -> int | None:
    """The status a row expects for a role (None: a public row that does not test that role)."""
    method, path, expected, endpoint = row
    capability = capability_of(app.view_functions[endpoint])
    if capability is None:
        return expected.get(role)
    given = expected if isinstance(expected, dict) else {"ok": expected}
    if role in given:
        return given[role]
    if role == "anonymous":
        return 401 if is_api(path) else (302 if method == "GET" else 400)
    return given["ok"] if role in capability.roles else 403


def _all_rows():
    rows = []
    for module_info in pkgutil.iter_modules(tests.__path__):
        if not module_info.ispkg:
            continue
        try:
            module = importlib.import_module(f"tests.{module_info.name}.routes")
        except ModuleNotFoundError:
            continue
        rows.extend(getattr(module, "ROUTES", []))
    return rows


ROWS = _all_rows()
# Routes that need no row: static files and the bootstrap assets.
EXEMPT = {"static", "bootstrap.static"}


def test_every_route_is_in_the_table(app):
    listed = {(method, endpoint) for method, _path, _expect, endpoint in ((r[0], r[1], r[2], r[3]) for r in ROWS)}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if (method, rule.endpoint) not in listed:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "routes without a row in a tests/<domain>/routes.py table: " + ", ".join(missing)


@pytest.fixture
def objects():
    """Objects each role is allowed to see, so the table tests the role check, not a 404."""
    from tests.factories import make_funder, make_initiative, make_school, make_student, make_user, make_workshop

    school = make_school()
    funder = make_funder()
    initiative = make_initiative(funders=[funder])
    workshop = make_workshop(initiative=initiative)
    other_workshop = make_workshop(initiative=initiative)  # of another teaching artist
    student = make_student(school)
    users = {
        "admin": make_user("admin"), "coordinator": make_user("coordinator"),
        "school": make_user("school", school=school), "funder": make_user("funder", funder=funder),
        "artist": make_user("artist", artist=workshop.artist),
    }
    # a person invited as a school representative, and one invited as a coordinator, neither with a password yet
    from datetime import timedelta

    from outreach.auth.models import Invitation
    from outreach.dbtypes import utcnow

    invitations = {}
    for key, role in (("invitation_id", "school"), ("staff_invitation_id", "coordinator")):
        invitee = make_user(role, school=school) if role == "school" else make_user(role)
        invitee.password_hash = None
        invitation = Invitation(user_id=invitee.id, token_hash=f"{key}-hash", created_by_id=users["admin"].id,
                                expires_at=utcnow() + timedelta(hours=1))
        db.session.add(invitation)
        db.session.flush()
        invitations[key] = invitation.id
    # the initiative asks its pupils and teachers; a teacher's one-time link of the workshop
    import hashlib

    from outreach.outcomes.models import TeacherLink
    from outreach.outcomes.services import start_from_library

    for audience in ("students", "teachers"):
        start_from_library(initiative, audience, actor=users["admin"])
    db.session.add(TeacherLink(token_hash=hashlib.sha256(b"routes-table-link").hexdigest(), workshop_id=workshop.id,
                               school_id=school.id, expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    return {"users": users, **invitations, "feedback_token": "routes-table-link", "school_user_id": users["school"].id, "school_id": school.id, "funder_id": funder.id, "initiative_id": initiative.id,
            "workshop_id": workshop.id, "other_workshop_id": other_workshop.id, "student_id": student.id,
            "artist_id": workshop.artist_id,
            "venue_id": workshop.venue_id, "feed_token": users["coordinator"].feed_token}


def test_rows_leave_the_role_to_the_capability_table(app):
    """A row names statuses only for what an object check decides: for roles that hold the capability (and
    anonymous); public rows only for public endpoints."""
    wrong = []
    for method, path, expected, endpoint in ROWS:
        capability = capability_of(app.view_functions[endpoint])
        if capability is None:
            if endpoint not in PUBLIC or not isinstance(expected, dict):
                wrong.append(f"{method} {path}: {endpoint} declares no capability and is not public")
            continue
        assert capability in CAPABILITIES.values()
        if isinstance(expected, dict):
            if "ok" not in expected:
                wrong.append(f"{method} {path}: a row of a capability gives its holders' status as 'ok'")
            wrong += [f"{method} {path}: {role} does not hold {capability.name}; the table decides it (403)"
                      for role in expected if role not in ("ok", "anonymous") and role not in capability.roles]
    assert wrong == []


@pytest.mark.parametrize("method,path,expected,endpoint,role",
                         [(*r, role) for r in ROWS for role in ROLES
                          if not (isinstance(r[2], dict) and "ok" not in r[2]) or role in r[2]],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_route_role(app, client, csrf, login, objects, method, path, expected, endpoint, role):
    status = expected_for(app, (method, path, expected, endpoint), role)
    headers = {}
    if role != "anonymous" and is_api(path):
        raw, _token = issue_api_token(objects["users"][role])
        db.session.commit()
        headers["Authorization"] = f"Bearer {raw}"
    elif role != "anonymous":
        login(objects["users"][role])
    url = path.format(**objects)
    data = {"csrf_token": csrf.token(client, "/account")} if method == "POST" and role != "anonymous" \
        and not is_api(path) else {}
    response = client.open(url, method=method, data=data, headers=headers)
    assert response.status_code == status, f"{method} {url} as {role}"
