"""The outbox as administrators read it: filters, a message, retry now."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from outreach.dbtypes import utcnow
from outreach.extensions import db
from outreach.notifications import sending, services as notifications
from outreach.notifications.models import OutboxMessage
from tests.conftest import Csrf
from tests.factories import make_user


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _add(status, subject, **kw):
    user = kw.pop("user", None) or make_user("school", locale="ru")
    message = notifications.queue(user, "signup_promoted", subject, kw.pop("body", "Body of " + subject))
    if status == "sent":
        message.sent_at, message.attempts, message.next_attempt_at = utcnow(), 1, None
    elif status == "failed":
        message.attempts, message.last_error = notifications.FAILED_AFTER, "SMTPDataError: 451 try later"
        message.next_attempt_at, message.failed_at = None, utcnow()
    db.session.flush()
    return message


def test_admin_reads_the_outbox_by_status(client, login):
    login("admin")
    client.get("/account?lang=en")
    _add("pending", "Pending subject")
    _add("sent", "Sent subject")
    _add("failed", "Failed subject")
    db.session.commit()
    everything = _text(client.get("/outbox"))
    assert all(s in everything for s in ("Pending subject", "Sent subject", "Failed subject"))
    assert "No mail server is configured" in everything
    failed = _text(client.get("/outbox?status=failed"))
    assert "Failed subject" in failed and "Pending subject" not in failed and "451 try later" in failed
    sent = _text(client.get("/outbox?status=sent"))
    assert "Sent subject" in sent and "Failed subject" not in sent
    pending = _text(client.get("/outbox?status=pending"))
    assert "Pending subject" in pending and "Sent subject" not in pending
    assert client.get("/outbox?status=nonsense").status_code == 200


def test_a_message_and_retry_now_without_a_mail_server(client, login):
    login("admin")
    client.get("/account?lang=en")
    message = _add("failed", "Место подтверждено: Балет", body="1 ученик вашей школы ...")
    db.session.commit()
    page = _text(client.get(f"/outbox/{message.id}"))
    assert "Место подтверждено: Балет" in page and "1 ученик вашей школы" in page and "451 try later" in page
    assert "Retry now" in page
    response = client.post(f"/outbox/{message.id}/retry", data={"csrf_token": Csrf.token(client, "/account")})
    assert response.status_code == 302
    assert "no mail server is configured" in _text(client.get(response.headers["Location"]))
    db.session.expire_all()
    kept = db.session.get(OutboxMessage, message.id)
    assert kept.sent_at is None and kept.next_attempt_at <= utcnow()


def test_retry_now_makes_it_due_for_the_worker_when_smtp_is_configured(client, login, smtp):
    login("admin")
    client.get("/account?lang=en")
    message = _add("failed", "Workshop moved")
    db.session.commit()
    notifications.take_committed(db.session.info)
    response = client.post(f"/outbox/{message.id}/retry", data={"csrf_token": Csrf.token(client, "/account")},
                           buffered=True)
    assert response.status_code == 302
    assert smtp.sent == []  # the request only makes it due: the outbox worker sends it
    assert sending.send_due().sent == 1
    assert [m["Subject"] for m in smtp.sent] == ["Workshop moved"]
    page = _text(client.get(f"/outbox/{message.id}"))
    assert "Retry now" not in page and "Sent" in page
    again = client.post(f"/outbox/{message.id}/retry", data={"csrf_token": Csrf.token(client, "/account")})
    assert "already been sent" in _text(client.get(again.headers["Location"]))


@pytest.mark.parametrize("rows", [(5, 50)])
def test_outbox_query_count_does_not_grow_with_rows(client, login, count_queries, rows):
    login("admin")
    user = make_user("school")
    db.session.commit()
    client.get("/account?lang=en")  # the signed-in user is read once per version of the users
    counts = []
    for n in rows:
        for i in range(n - db.session.query(OutboxMessage).count()):
            _add(("pending", "sent", "failed")[i % 3], f"Subject {i}", user=user)
        db.session.commit()
        with count_queries() as counter:
            assert client.get("/outbox").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_one_time_invitation_links_are_not_shown_in_the_outbox(client, login):
    login("admin")
    client.get("/account?lang=en")
    user = make_user("school", locale="en")
    message = notifications.queue(user, "invitation", "Your invitation to Outreach",
                                  "Open this link: http://localhost/invitation/AbCdEf123456_-xyz\n\nThanks")
    db.session.commit()
    page = _text(client.get(f"/outbox/{message.id}"))
    assert "Invitation" in page and "/invitation/…" in page and "AbCdEf123456_-xyz" not in page
    db.session.expire_all()
    assert "AbCdEf123456_-xyz" in db.session.get(OutboxMessage, message.id).body  # the email itself keeps it
