"""Every route × every role → the expected status. Each domain lists its routes in tests/<domain>/routes.py.

A row is (method, path, {role: status}); roles are anonymous, admin, coordinator, school, funder, artist.
A teaching artist is refused everything a row does not name it for (403), as the contract says ("everything else
403/404"); rows that open a page to artists say so.
Paths may use {placeholders} filled by the `objects` fixture below (ids of objects the roles may see).
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import tests
from outreach.extensions import db

ROLES = ("anonymous", "admin", "coordinator", "school", "funder", "artist")
ARTIST_REFUSED = 403


def expected_for(expected: dict, role: str) -> int | None:
    """The status a row expects for a role (None: the row does not test that role)."""
    if role == "artist":
        return expected.get("artist", ARTIST_REFUSED if "school" in expected else None)
    return expected.get(role)



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


@pytest.mark.parametrize("method,path,expected,endpoint,role",
                         [(r[0], r[1], r[2], r[3], role) for r in ROWS for role in ROLES
                          if expected_for(r[2], role) is not None],
                         ids=lambda v: v if isinstance(v, str) else None)
def test_route_role(app, client, csrf, login, objects, method, path, expected, endpoint, role):
    if role != "anonymous":
        login(objects["users"][role])
    url = path.format(**objects)
    data = {"csrf_token": csrf.token(client, "/account")} if method == "POST" and role != "anonymous" else {}
    response = client.open(url, method=method, data=data)
    assert response.status_code == expected_for(expected, role), f"{method} {url} as {role}"
