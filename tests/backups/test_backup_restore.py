"""Backup → change → restore → verify, on SQLite and (with TEST_DATABASE_URL) PostgreSQL, through the commands.

A restore brings back what the backup held, never a child erased since (the erasure list outside the backup),
never erases another child who got an erased child's id, refuses without --yes or a wrong file, and the impact
facts match after it."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from outreach.access import SYSTEM
from outreach.extensions import db
from outreach.auth.models import User
from outreach.reports.models import ImpactFact
from outreach.schools.models import School
from outreach.signups import services as signups
from outreach.students import services as students
from outreach.students.models import Student
from tests.factories import make_school, make_student, make_user, make_workshop


@pytest.fixture
def places(app, tmp_path):
    saved = {key: app.config.get(key) for key in ("ERASURE_LIST", "BACKUP_DIR")}
    app.config.update(ERASURE_LIST=str(tmp_path / "erasures.jsonl"), BACKUP_DIR=str(tmp_path / "backups"))
    yield tmp_path
    app.config.update(saved)


def _cli(app, *args):
    db.session.remove()  # the test's own transaction must not hold locks the restore needs
    return app.test_cli_runner().invoke(args=list(args))


def _names() -> dict[int, str | None]:
    db.session.remove()
    return {s.id: s.first_name for s in db.session.scalars(select(Student).order_by(Student.id))}


def test_backup_change_restore_verify(app, places):
    school = make_school()
    coordinator = make_user("coordinator")
    kept, erased_later, renamed = (make_student(school, first_name=n) for n in ("Айша", "Болат", "Дана"))
    workshop = make_workshop(capacity=5)
    signups.register(workshop.id, [kept.id, erased_later.id, renamed.id], actor=coordinator)
    db.session.commit()
    ids = (kept.id, erased_later.id, renamed.id)
    coordinator_id, school_id = coordinator.id, school.id
    backup = places / "nightly.backup"

    result = _cli(app, "backup", "create", str(backup))
    assert result.exit_code == 0, result.output
    assert backup.exists() and oct(backup.stat().st_mode & 0o777) == "0o600"
    assert _cli(app, "backup", "create", str(backup)).exit_code != 0  # never overwrites a backup

    # after the backup: a withdrawal, a new student, a changed name
    db.session.get(Student, ids[2]).first_name = "Дәметкен"
    students.erase_student(db.session.get(Student, ids[1]), actor=db.session.get(User, coordinator_id))
    newcomer = make_student(db.session.get(School, school_id), first_name="Ерлан")
    db.session.commit()
    newcomer_id = newcomer.id
    facts_before = db.session.scalar(select(func.count()).select_from(ImpactFact))  # the erasure cancelled one
    [line] = (places / "erasures.jsonl").read_text().splitlines()
    assert json.loads(line)["student_id"] == ids[1] and "Болат" not in line

    refused = _cli(app, "backup", "restore", str(backup))
    assert refused.exit_code != 0 and "--yes" in refused.output
    junk = places / "junk.backup"
    junk.write_bytes(b"not a database at all")
    assert _cli(app, "backup", "restore", "--yes", str(junk)).exit_code != 0
    assert _names()[ids[2]] == "Дәметкен" and newcomer_id in _names()  # nothing changed

    result = _cli(app, "backup", "restore", "--yes", str(backup))
    assert result.exit_code == 0, result.output
    assert "1 student(s) erased since the backup were erased again" in result.output
    assert "The impact facts match" in result.output
    names = _names()
    assert names == {ids[0]: "Айша", ids[1]: None, ids[2]: "Дана"}  # the newcomer came after the backup
    assert db.session.get(Student, ids[1]).erased_at is not None
    # the same figures as before the restore: the re-applied erasure cancelled the same upcoming sign-up
    assert db.session.scalar(select(func.count()).select_from(ImpactFact)) == facts_before == 2
    assert list((places / "backups").glob("before-restore-*"))  # the replaced database was saved first
    assert _cli(app, "reports", "check-facts").exit_code == 0


def test_an_erased_childs_id_given_to_another_child_is_not_erased_by_a_restore(app, places):
    school = make_school()
    first = make_student(school, first_name="Айша")
    db.session.commit()
    first_id, school_id = first.id, school.id
    assert _cli(app, "backup", "create", str(places / "before.backup")).exit_code == 0
    gone = make_student(db.session.get(School, school_id), first_name="Болат")
    db.session.commit()
    gone_id = gone.id
    students.erase_student(gone, actor=SYSTEM, reason="withdrawn")
    db.session.commit()
    assert _cli(app, "backup", "restore", "--yes", str(places / "before.backup")).exit_code == 0
    # the id the erased child had is given out again, to another child; then a newer backup is restored
    db.session.remove()
    other = make_student(db.session.get(School, school_id), first_name="Сәуле")
    db.session.commit()
    assert other.id == gone_id  # on SQLite and PostgreSQL alike (the sequence came back with the backup)
    other_id = other.id
    assert _cli(app, "backup", "create", str(places / "after.backup")).exit_code == 0
    result = _cli(app, "backup", "restore", "--yes", str(places / "after.backup"))
    assert result.exit_code == 0, result.output
    assert _names() == {first_id: "Айша", other_id: "Сәуле"}
