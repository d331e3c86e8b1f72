"""The demo seed fills an empty database and refuses one that holds data."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from outreach import demo
from outreach.auth.models import User
from outreach.extensions import db
from outreach.signups.models import Signup
from outreach.workshops.models import Workshop
from tests.conftest import Csrf


def test_seed_demo_creates_a_realistic_programme(app, client):
    counts = demo.seed()
    db.session.commit()
    assert counts["schools"] == 20 and counts["students"] == 300 and counts["initiatives"] == 4
    assert 45 <= counts["workshops"] <= 55  # about 40 of the programme, and the two schools' class visits
    emails = set(db.session.scalars(select(User.email)))
    assert {"admin@example.org", "coordinator@example.org", "school@example.org", "school2@example.org",
            "funder@example.org"} <= emails
    funder = db.session.scalar(select(User).where(User.email == "funder@example.org"))
    from outreach.access import visible_initiatives
    assert len(db.session.scalars(visible_initiatives(funder)).all()) >= 2
    statuses = dict(db.session.execute(select(Signup.status, func.count()).group_by(Signup.status)).all())
    assert statuses.get("waitlisted", 0) > 0 and statuses.get("confirmed", 0) > 100
    assert db.session.scalar(select(func.count()).select_from(Workshop).where(Workshop.series_id.is_not(None))) > 0
    # both demo schools have students with a certificate of participation (README "Demo accounts")
    from outreach.certificates.services import qualifiers_query
    for email in ("school@example.org", "school2@example.org"):
        rep = db.session.scalar(select(User).where(User.email == email))
        assert len(db.session.execute(qualifiers_query(rep, rep.school_id)).all()) >= 3, email
    over = db.session.scalar(select(func.count()).select_from(Workshop).where(Workshop.seats_taken > Workshop.capacity))
    assert over == 0
    # every demo account signs in with the documented password
    for email in ("admin@example.org", "school2@example.org", "funder@example.org"):
        c = app.test_client()
        response = c.post("/login", data={"email": email, "password": demo.DEMO_PASSWORD,
                                          "csrf_token": Csrf.token(c)})
        assert response.status_code == 302


def test_seed_demo_refuses_a_database_with_data(app):
    from tests.factories import make_school

    make_school()
    db.session.commit()
    with pytest.raises(demo.DatabaseNotEmpty):
        demo.seed()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "refusing" in result.output
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
