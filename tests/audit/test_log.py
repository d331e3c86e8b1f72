"""The audit log reads as words in every language: no event kind, detail or value is shown as a code."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.audit import services as audit
from outreach.auth.services import issue_api_token
from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.signups.models import Signup
from outreach.students.models import Student
from outreach.students.services import update_student
from tests.factories import make_user

SOURCE = Path(__file__).resolve().parents[2] / "outreach"
ACTION = re.compile(r'(?:action=|record\([^,]+,\s*)"([a-z_]+\.[a-z_]+)"')


def test_every_kind_of_event_the_code_records_has_a_label_and_is_in_the_filter(client, login):
    recorded = {m.group(1) for path in SOURCE.rglob("*.py") for m in ACTION.finditer(path.read_text())}
    assert "attendance.synced" in recorded and "user.role_changed" in recorded  # the scan sees both styles
    assert recorded - set(audit.ACTIONS) == set()
    login(make_user(role="admin"))
    page = client.get("/audit?lang=ru").get_data(as_text=True)
    offered = set(re.findall(r'<option value="([a-z_]+\.[a-z_]+)"', page))
    assert recorded <= offered


def _bearer(user):
    raw, _token = issue_api_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _events_text(html: str) -> str:
    items = re.findall(r'<li class="list-group-item">(.*?)</li>', html, re.S)
    return re.sub(r"<[^>]+>", " ", " ".join(items))


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_the_log_of_a_real_programme_shows_no_codes(client, login, seeded, lang):
    coordinator = make_user(role="coordinator")
    db.session.commit()
    headers = _bearer(coordinator)
    # a phone sends attendance (a first record and a correction) …
    signup = db.session.scalars(select(Signup).where(Signup.status == "confirmed").join(Signup.workshop)
                                .where(Signup.workshop.has(status="completed"))).first()
    at = (utcnow() - timedelta(minutes=5)).isoformat()
    for key, present in (("audit-1", False), ("audit-2", True)):
        response = client.post("/api/v1/attendance/sync", headers=headers, json={
            "idempotency_key": key,
            "marks": [{"workshop_id": signup.workshop_id, "student_id": signup.student_id, "present": present,
                       "marked_at": at}]})
        assert response.status_code == 200, response.get_json()
    # … a student's guardian consent and a workshop's seats change
    student = db.session.get(Student, signup.student_id)
    update_student(student, {"grade": student.grade, "guardian_consent": {"method": "electronic"}},
                   actor=coordinator)
    db.session.commit()
    upcoming = client.get("/api/v1/workshops?status=scheduled", headers=headers).get_json()["items"][0]
    assert client.patch(f"/api/v1/workshops/{upcoming['id']}", headers=headers,
                        json={"capacity": upcoming["capacity"] + 1}).status_code == 200

    login(make_user(role="admin"))
    text = ""
    for page in (1, 2, 3):
        text += _events_text(client.get(f"/audit?lang={lang}&page={page}").get_data(as_text=True))
    assert text.strip()
    codes = set(re.findall(r"\b[a-z]+(?:[._][a-z]+)+\b", text))  # attendance.synced, present_signup_ids, …
    assert codes == set(), codes
    words = set(re.findall(r"\b(?:paper|electronic|batch|True|False|capacity|fields)\b", text))
    assert words == set(), words
    assert not re.search(r"[:]\s*(?:нет|жоқ)\b", text)  # "first_record: нет" — a yes/no that says nothing
