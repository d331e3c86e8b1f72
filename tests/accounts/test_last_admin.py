"""There is always an administrator: the last active one can be neither demoted nor deactivated — also when
administrators demote or deactivate each other at the same moment (barrier-synchronised requests through the
real pages, on SQLite and on PostgreSQL: TEST_DATABASE_URL). The decision is taken in the transaction, holding
the administrators' lock, on the rows as committed."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from outreach.auth import services as auth
from outreach.auth.models import User
from outreach.errors import Conflict
from outreach.extensions import db
from tests.conftest import PASSWORD, Csrf
from tests.factories import make_user
from tests.races import racing_app, together


def _active_admins() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True), User.password_hash.is_not(None)))


def _stale_admin(user: User) -> SimpleNamespace:
    """An administrator as a request loaded it before another request demoted it (what a race looks like)."""
    return SimpleNamespace(id=user.id, role="admin", is_authenticated=True, active=True)


def test_an_administrator_can_still_demote_another_while_one_remains(app):
    first, second = make_user("admin"), make_user("admin")
    auth.change_role(second, role="coordinator", school_id=None, funder_id=None, actor=first)
    db.session.commit()
    assert _active_admins() == 1


@pytest.mark.parametrize("change", ["demote", "deactivate"])
def test_the_last_active_administrator_is_kept_even_by_a_stale_request(app, change):
    first, second = make_user("admin"), make_user("admin")
    invited = make_user("admin")
    invited.password_hash = None  # an invitation not yet accepted: nobody who can sign in
    auth.deactivate(second, actor=first)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        if change == "demote":
            auth.change_role(first, role="coordinator", school_id=None, funder_id=None, actor=_stale_admin(second))
        else:
            auth.deactivate(first, actor=_stale_admin(second))
    assert refused.value.code == "last_administrator" and refused.value.status == 409
    assert "last active administrator" in str(refused.value)
    db.session.rollback()
    assert _active_admins() == 1


def test_the_refusal_is_translated(app, client):
    from outreach.i18n import force_locale

    first = make_user("admin")
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        auth.deactivate(first, actor=_stale_admin(make_user("coordinator")))
    db.session.rollback()
    with app.test_request_context():
        for language, word in (("ru", "администратор"), ("kk", "әкімші")):
            with force_locale(language):
                assert word in str(refused.value.message).lower()


# -- the race, through the pages ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def race_app(app, database_url):
    with racing_app(database_url, 8) as racing:
        yield racing


def _signed_in(race_app, user: User):
    client = race_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": Csrf.token(client)})
    assert response.status_code == 302
    return client


ACTIONS = {"demote": lambda target: (f"/accounts/{target}/role", {"role": "coordinator"}),
           "deactivate": lambda target: (f"/accounts/{target}/deactivate", {})}


@pytest.mark.slow
@pytest.mark.parametrize("kinds", [("demote", "demote"), ("deactivate", "deactivate"), ("demote", "deactivate"),
                                   ("demote", "demote", "demote")])
@pytest.mark.parametrize("round_", range(3))
def test_administrators_removing_each_other_at_the_same_moment_leave_one(race_app, kinds, round_):
    admins = [make_user("admin") for _kind in kinds]
    db.session.commit()
    clients = [_signed_in(race_app, admin) for admin in admins]
    # each one acts on the next (the last on the first): a ring, so that no request is refused for acting on itself
    posts = []
    for n, (kind, client) in enumerate(zip(kinds, clients)):
        target = admins[(n + 1) % len(admins)].id
        path, data = ACTIONS[kind](target)
        token = Csrf.token(client, f"/accounts/{target}")
        posts.append((client, path, {**data, "csrf_token": token}))
    answers: list[tuple[int, str, str]] = []

    def post(client, path, data):
        def job():
            response = client.post(path, data=data)
            answers.append((response.status_code, response.headers.get("Location", ""),
                            response.get_data(as_text=True)))
        return job

    assert together([post(*args) for args in posts]) == []
    done = [location for status, location, _html in answers if status == 302 and "/accounts/" in location]
    refused = [(status, location, html) for status, location, html in answers if (status, location) not in
               [(302, d) for d in done]]
    assert len(done) == len(kinds) - 1, answers
    [(status, location, html)] = refused
    # refused in the transaction (409, with the reason) — or, when the other request had already committed
    # before this one began, no longer an administrator at all: signed out (deactivated) or 403 (demoted)
    if status == 409:
        assert "last active administrator" in html
    else:
        assert (status, location.split("?")[0]) in ((302, "/login"), (403, "")), (status, location)
    assert _active_admins() == 1
