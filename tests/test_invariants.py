"""Invariants, not only examples (STYLE rule 15): random sequences of the real services, checked after every step.

A Hypothesis `RuleBasedStateMachine` signs students up and cancels, changes capacities, records and corrects
attendance, reschedules, cancels workshops and series, moves workshops to another initiative, changes students'
grades and schools, moves schools to another region and erases students — each step one service call and one
commit, like a request (a refused step rolls back, like a request answering 4xx). After every step:

- every workshop's `seats_taken` equals its confirmed sign-ups and never exceeds its capacity;
- every waitlist is 1..n without gaps, n = `waitlist_length`;
- the report's upkeep runs after the commits, as in production: the machine runs with `REPORT_UPKEEP=manual`,
  every step leaves its changes pending, and the rules `upkeep` (the oldest 1–3 pending rows, one drain's
  transaction) and `upkeep_all` apply them. Whatever is pending, the kept counts are exactly those of the facts
  (`counts.drift() == 0`: never a figure from a half-applied write); once nothing is pending, the impact facts
  do not drift from the source tables (`rollups.drift() == 0`);
- no erased student has a name (nor does its guardian consent);
- no erased student holds a live sign-up to a workshop that has not started and is not cancelled.

`drift()` covers the counts kept on the facts too (students reached per region and key, for everyone and for
each funder; the per-school sums; each attended fact's previous one). At the end of every example the impact
report — every initiative, one region, two periods, each funder's initiatives with and without a period —
and the per-school table are compared with the same figures counted by brute force from the source tables.

`OUTREACH_INVARIANT_EXAMPLES` (default 200) and `OUTREACH_INVARIANT_STEPS` (default 30) set the budget.
"""
from __future__ import annotations

import os
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import delete, event, select

from outreach import cache
from outreach.attendance import services as attendance
from outreach.dbtypes import local_tz, utcnow
from outreach.errors import OutreachError
from outreach.attendance.models import MARKS, Attendance
from outreach.extensions import db
from outreach.initiatives import services as initiatives
from outreach.initiatives.models import Initiative
from outreach.outcomes import figures as outcome_figures
from outreach.outcomes import services as outcomes
from outreach.outcomes.models import Response
from outreach.reports import counts, privacy, rollups
from outreach.reports import upkeep as report_upkeep
from outreach.reports import services as reports
from outreach.reports.models import grade_band
from outreach.schools.models import School
from outreach.schools import services as schools
from outreach.schools.models import Region
from outreach.signups import services as signups
from outreach.signups.models import Signup
from outreach.students import services as students
from outreach.students.models import GuardianConsent, Student
from outreach.workshops import services as workshops
from outreach.workshops.models import Workshop
from tests.factories import make_artist, make_funder, make_initiative, make_school, make_student, make_user, make_venue

EXAMPLES = int(os.environ.get("OUTREACH_INVARIANT_EXAMPLES", "200"))
STEPS = int(os.environ.get("OUTREACH_INVARIANT_STEPS", "30"))

pick = st.integers(min_value=0, max_value=10_000)  # an index into whatever list the rule picks from


def _empty_tables() -> None:
    """Every table but the regions, emptied in one transaction (much faster than TRUNCATE for a few rows)."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name != "region":
                conn.execute(delete(table))
    # the data versions start again from nothing: figures kept under the same versions by an earlier example are
    # not this example's
    cache.figures.clear()
    cache.pages.clear()


class Programme(RuleBasedStateMachine):
    """A small programme: two schools in two regions, two initiatives, a coordinator and a school representative."""

    def __init__(self) -> None:
        super().__init__()
        _empty_tables()
        self.regions = list(db.session.scalars(select(Region.code).order_by(Region.code).limit(3)))
        self.coordinator = make_user("coordinator")
        self.school_ids = [make_school(region_code=self.regions[0]).id, make_school(region_code=self.regions[1]).id]
        self.rep = make_user("school", school_id=self.school_ids[0])
        self.funders = [make_funder(), make_funder()]
        self.funder_users = [make_user("funder", funder_id=funder.id) for funder in self.funders]
        self.initiative_ids = [make_initiative(funders=[self.funders[0]]).id,
                               make_initiative(funders=list(self.funders)).id]
        self.student_ids = [make_student(db.session.get(type(self.rep.school), sid), grade=g).id
                            for sid in self.school_ids for g in (3, 7)]
        for ident in self.initiative_ids:  # both ask the ready questions; pupils answer (rule `answer`)
            outcomes.start_from_library(db.session.get(Initiative, ident), "students", actor=self.coordinator)
        self.workshop_ids: list[int] = []
        self.serial = 0
        self.changed = True  # something committed since the invariants were last checked
        db.session.commit()

    # -- helpers -----------------------------------------------------------------------------------------------

    def _step(self, action) -> None:
        """One request: the service call commits, or a refusal rolls everything back."""
        try:
            action()
        except OutreachError:
            db.session.rollback()  # back to the state the invariants were last checked in
        else:
            db.session.commit()
            self.changed = True
        db.session.expire_all()

    def _workshop(self, i: int) -> Workshop:
        return db.session.get(Workshop, self.workshop_ids[i % len(self.workshop_ids)])

    def _student(self, i: int) -> Student:
        return db.session.get(Student, self.student_ids[i % len(self.student_ids)])

    def _signup(self, i: int) -> Signup | None:
        ids = db.session.scalars(select(Signup.id).where(Signup.status != "cancelled").order_by(Signup.id)).all()
        return db.session.get(Signup, ids[i % len(ids)]) if ids else None

    def _data(self, day: int, hour: int, capacity: int, initiative: int, language: str = "kk") -> dict:
        self.serial += 1
        starts = datetime.combine(utcnow().astimezone(local_tz()).date() + timedelta(days=day), time(hour),
                                  local_tz())
        # every workshop its own artist and venue (records): the machine is about seats, not clashes
        artist, venue = make_artist(f"Педагог {self.serial}"), make_venue(f"Зал {self.serial}")
        return {"initiative_id": self.initiative_ids[initiative % 2], "title": {"kk": f"Сабақ {self.serial}"},
                "starts_at": starts, "duration_minutes": 60, "capacity": capacity,
                "venue_id": venue.id, "artist_id": artist.id, "language": language,
                "min_grade": 0, "max_grade": 11}

    # -- workshops ---------------------------------------------------------------------------------------------

    @initialize(day=st.integers(-10, 20), capacity=st.integers(1, 3))
    def first_workshop(self, day: int, capacity: int) -> None:
        self.workshop_ids.append(workshops.create_workshop(self._data(day, 10, capacity, 0),
                                                           actor=self.coordinator).id)
        db.session.commit()
        self.changed = True

    @rule(day=st.integers(-10, 20), hour=st.integers(9, 17), capacity=st.integers(1, 3), initiative=pick,
          language=st.sampled_from(["kk", "ru", "en"]))
    def schedule_workshop(self, day: int, hour: int, capacity: int, initiative: int, language: str) -> None:
        def action():
            self.workshop_ids.append(workshops.create_workshop(self._data(day, hour, capacity, initiative, language),
                                                               actor=self.coordinator).id)
        self._step(action)

    @rule(day=st.integers(-10, 10), count=st.integers(2, 3), capacity=st.integers(1, 3))
    def schedule_series(self, day: int, count: int, capacity: int) -> None:
        def action():
            sessions = workshops.create_series(self._data(day, 15, capacity, 0), {"count": count},
                                               actor=self.coordinator)
            self.workshop_ids.extend(w.id for w in sessions)
        self._step(action)

    @rule(w=pick, capacity=st.integers(1, 5))
    def change_capacity(self, w: int, capacity: int) -> None:
        workshop = self._workshop(w)
        self._step(lambda: workshops.update_workshop(workshop, {"capacity": capacity}, actor=self.coordinator))

    @rule(w=pick, days=st.integers(-12, 12).filter(bool), following=st.booleans())
    def reschedule(self, w: int, days: int, following: bool) -> None:
        workshop = self._workshop(w)
        change = {"starts_at": workshop.starts_at + timedelta(days=days)}
        update = workshops.update_following if following else workshops.update_workshop
        self._step(lambda: update(workshop, change, actor=self.coordinator))

    @rule(w=pick, following=st.booleans())
    def cancel_workshop(self, w: int, following: bool) -> None:
        workshop = self._workshop(w)
        cancel = workshops.cancel_following if following else workshops.cancel_workshop
        self._step(lambda: cancel(workshop, actor=self.coordinator))

    @rule(w=pick, initiative=pick)
    def move_to_initiative(self, w: int, initiative: int) -> None:
        workshop = self._workshop(w)
        target = self.initiative_ids[initiative % 2]
        self._step(lambda: workshops.update_workshop(workshop, {"initiative_id": target}, actor=self.coordinator))

    @rule(initiative=pick, funded=st.sets(st.integers(0, 1)))
    def change_funders(self, initiative: int, funded: set[int]) -> None:
        target = db.session.get(Initiative, self.initiative_ids[initiative % 2])
        ids = [self.funders[i].id for i in sorted(funded)]
        self._step(lambda: initiatives.update_initiative(target, {"funder_ids": ids}, actor=self.coordinator))

    # -- sign-ups and attendance -------------------------------------------------------------------------------

    @rule(w=pick, chosen=st.lists(pick, min_size=1, max_size=3), as_school=st.booleans())
    def sign_up(self, w: int, chosen: list[int], as_school: bool) -> None:
        workshop = self._workshop(w)
        ids = [self.student_ids[i % len(self.student_ids)] for i in chosen]
        actor = self.rep if as_school else self.coordinator
        self._step(lambda: signups.register(workshop.id, ids, actor=actor))

    @rule(s=pick, as_school=st.booleans())
    def cancel_signup(self, s: int, as_school: bool) -> None:
        signup = self._signup(s)
        if signup is not None:
            actor = self.rep if as_school else self.coordinator
            self._step(lambda: signups.cancel(signup.id, actor=actor))

    @rule(w=pick, present=st.lists(pick, max_size=4))
    def record_attendance(self, w: int, present: list[int]) -> None:
        workshop = self._workshop(w)
        confirmed = db.session.scalars(select(Signup.student_id).where(
            Signup.workshop_id == workshop.id, Signup.status == "confirmed").order_by(Signup.student_id)).all()
        came = {confirmed[i % len(confirmed)] for i in present} if confirmed else set()
        self._step(lambda: attendance.record(workshop.id, sorted(came), actor=self.coordinator))

    @rule(w=pick, marks=st.lists(st.tuples(pick, st.sampled_from(MARKS), st.integers(1, 400)), min_size=1,
                                 max_size=4))
    def record_marks(self, w: int, marks: list[tuple[int, str, int]]) -> None:
        """Present, late (minutes attended), excused or absent, the rest absent; a workshop nobody is signed up
        to gets the students first, as a coordinator entering a paper sheet does."""
        workshop = self._workshop(w)

        def confirmed():
            return db.session.scalars(select(Signup.student_id).where(
                Signup.workshop_id == workshop.id, Signup.status == "confirmed").order_by(Signup.student_id)).all()

        if not confirmed():
            ids = [self.student_ids[i % len(self.student_ids)] for i, _status, _minutes in marks]
            self._step(lambda: signups.register(workshop.id, ids, actor=self.coordinator))
        students = confirmed()
        chosen = {students[i % len(students)]: attendance.Recorded(
            status, min(minutes, workshop.duration_minutes) if status == "late" else None)
            for i, status, minutes in marks} if students else {}
        self._step(lambda: attendance.record_marks(workshop.id, chosen, actor=self.coordinator))

    @rule(s=pick, phase=st.sampled_from(["before", "after"]), value=st.integers(1, 5), joins=st.booleans())
    def answer(self, s: int, phase: str, value: int, joins: bool) -> None:
        """A pupil answers a question (faces, and a yes/no one) at the start or the end of a workshop."""
        signup = self._signup(s)
        if signup is None:
            return
        item = {"signup_id": signup.id, "phase": phase, "answers": {"enjoyed": value, "join_dance_club": joins}}
        self._step(lambda: outcomes.save_responses(signup.workshop_id, [item], actor=self.coordinator))

    # -- students and schools ----------------------------------------------------------------------------------

    @rule(s=pick, grade=st.integers(0, 11))
    def change_grade(self, s: int, grade: int) -> None:
        student = self._student(s)
        self._step(lambda: students.update_student(student, {"grade": grade}, actor=self.coordinator))

    @rule(s=pick, school=pick)
    def change_school(self, s: int, school: int) -> None:
        student = self._student(s)
        target = self.school_ids[school % 2]
        self._step(lambda: students.update_student(student, {"school_id": target}, actor=self.coordinator))

    @rule(school=pick, region=pick)
    def move_school(self, school: int, region: int) -> None:
        target = db.session.get(type(self.rep.school), self.school_ids[school % 2])
        code = self.regions[region % len(self.regions)]
        self._step(lambda: schools.update_school(target, {"region": code}, actor=self.coordinator))

    @rule(s=pick)
    def erase_student(self, s: int) -> None:
        student = self._student(s)
        self._step(lambda: students.erase_student(student, actor=self.coordinator))

    @rule(limit=st.integers(1, 3))
    def upkeep(self, limit: int) -> None:
        """The upkeep applies the oldest pending rows (one transaction of its own)."""
        if report_upkeep.drain(limit):
            self.changed = True
        db.session.expire_all()

    @rule()
    def upkeep_all(self) -> None:
        if report_upkeep.drain_all():
            self.changed = True
        db.session.expire_all()

    # -- what must always hold ---------------------------------------------------------------------------------

    @invariant()
    def invariants_hold(self) -> None:
        """Checked after every step that committed (a refused step rolled back to the state checked last)."""
        if not self.changed:
            return
        self.changed = False
        self.seats_match_confirmed_signups()
        assert counts.drift() == 0  # the kept counts are those of the facts, pending or not
        if not report_upkeep.pending_count():
            assert rollups.drift() == 0
        assert outcome_figures.drift() == 0
        self.erased_students_are_anonymous_and_signed_up_nowhere()

    def teardown(self) -> None:
        """The report and the per-school table, however they are read, say what the source tables say (once the
        upkeep has applied every committed write)."""
        report_upkeep.drain_all()
        assert rollups.drift() == 0
        today = utcnow().astimezone(local_tz()).date()
        coordinator = self.coordinator
        scopes = [(coordinator, {}), (coordinator, {"region": self.regions[0]}),
                  (coordinator, {"date_from": today - timedelta(days=6), "date_to": today - timedelta(days=2)}),
                  (coordinator, {"date_from": today - timedelta(days=40), "date_to": today + timedelta(days=40),
                                 "region": self.regions[1]})]
        for user in self.funder_users:
            scopes += [(user, {}), (user, {"date_from": today - timedelta(days=9), "date_to": today})]
        for user, filters in scopes:
            scope = reports.build_scope(user, **filters)
            report = reports.report_for_scope(scope, filters={})
            expected = _by_brute_force(scope)
            got = {"students_reached": report["students_reached"], "schools_reached": report["schools_reached"],
                   **{name: {cell["key"]: cell["students_reached"] for cell in report[name]}
                      for name in ("by_region", "by_settlement_type", "by_gender", "by_grade_band", "by_month",
                                   "by_language")}}
            assert got == expected["report"], (filters, got, expected["report"])
            pairs = _pairs_by_brute_force(scope)
            exact = {item["key"]: (item["pairs"], item["before_mean"], item["after_mean"]) for item in report["outcomes"]}
            assert exact == pairs, (filters, exact, pairs)
            if user is not coordinator:  # what the funder is shown never comes from fewer pairs than the threshold
                shown = reports.impact_report(user, **filters)
                protected = reports.build_scope(user, **dict(zip(("date_from", "date_to"), privacy.snap_period(
                    filters.get("date_from"), filters.get("date_to"))))) if filters else scope
                counted = _pairs_by_brute_force(protected)
                threshold = shown["suppression_threshold"]
                for item in shown["outcomes"]:
                    assert item["suppressed"] or counted[item["key"]][0] >= threshold, (filters, item, counted)
                    assert not item["suppressed"] or item["pairs"] is item["before_mean"] is item["change"] is None
            if user is coordinator:  # minutes attended and the rate without excused sign-ups, exact
                totals = expected["totals"]
                assert report["student_hours"] == round(totals["minutes"] / 60, 2), (filters, report, totals)
                assert report["attendance_rate"] == (round(totals["attended"] / totals["recorded"], 4)
                                                     if totals["recorded"] else None), (filters, report, totals)
                table = reports.school_rows(scope, per_page=None)
                rows = {row.school_id: (row.students_reached, row.signups, row.attended, row.recorded, row.minutes)
                        for row in table.items}
                assert rows == expected["schools"], (filters, rows, expected["schools"])
        db.session.rollback()

    def seats_match_confirmed_signups(self) -> None:
        confirmed: dict[int, int] = defaultdict(int)
        waiting: dict[int, list[int]] = defaultdict(list)
        for workshop_id, status, position in db.session.execute(
                select(Signup.workshop_id, Signup.status, Signup.waitlist_position)):
            if status == "confirmed":
                confirmed[workshop_id] += 1
            elif status == "waitlisted":
                waiting[workshop_id].append(position)
        for ident, seats, capacity, waitlist in db.session.execute(
                select(Workshop.id, Workshop.seats_taken, Workshop.capacity, Workshop.waitlist_length)):
            assert seats == confirmed[ident] and seats <= capacity, (ident, seats, confirmed[ident], capacity)
            assert sorted(waiting[ident]) == list(range(1, waitlist + 1)), (ident, waiting[ident], waitlist)

    def erased_students_are_anonymous_and_signed_up_nowhere(self) -> None:
        erased = select(Student.id).where(Student.erased_at.is_not(None))
        named = select(Student.id).where(
            Student.erased_at.is_not(None), (Student.first_name.is_not(None)) | (Student.last_name.is_not(None))
            | (Student.name_folded.is_not(None)))
        guardian = select(GuardianConsent.student_id).where(GuardianConsent.student_id.in_(erased),
                                                            GuardianConsent.guardian_name.is_not(None))
        live = select(Signup.student_id).join(Workshop, Workshop.id == Signup.workshop_id).where(
            Signup.student_id.in_(erased), Signup.status != "cancelled", Workshop.status != "cancelled",
            Workshop.starts_at > utcnow())
        assert not db.session.scalars(named.union_all(guardian, live)).all()


def _sqlite_without_fsync(connection, _record) -> None:
    connection.execute("PRAGMA synchronous=OFF")  # a throw-away test database: no fsync on every commit


@pytest.mark.slow
def test_invariants_hold_after_any_sequence_of_operations(app):
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        event.listen(db.engine, "connect", _sqlite_without_fsync)
        db.engine.dispose()
    app.config["REPORT_UPKEEP"] = "manual"  # the rules `upkeep` and `upkeep_all` apply the pending changes
    try:
        run_state_machine_as_test(Programme, settings=settings(
            max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
            suppress_health_check=list(HealthCheck)))
    finally:
        app.config["REPORT_UPKEEP"] = "after_commit"
        if sqlite:
            event.remove(db.engine, "connect", _sqlite_without_fsync)
            db.session.remove()
            db.engine.dispose()


def _by_brute_force(scope: reports.Scope) -> dict:
    """The report's distinct counts and the per-school sums of a scope, from sign-ups, attendance, workshops,
    students and schools, with sets in Python."""
    rows = db.session.execute(
        select(Signup.student_id, Student.school_id, School.region_code, School.settlement_type, Student.gender,
               Student.grade, Workshop.initiative_id, Workshop.language, Workshop.starts_at, Workshop.duration_minutes,
               Workshop.attendance_recorded_at, Attendance.status, Attendance.minutes)
        .join(Workshop, Workshop.id == Signup.workshop_id).join(Student, Student.id == Signup.student_id)
        .join(School, School.id == Student.school_id).outerjoin(Attendance, Attendance.signup_id == Signup.id)
        .where(Signup.status == "confirmed", Workshop.status != "cancelled"))
    reached: set[int] = set()
    schools_reached: set[int] = set()
    totals = {"attended": 0, "recorded": 0, "minutes": 0}
    cells: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    sums: dict[int, list] = {}
    for (student, school, region, settlement, gender, grade, initiative, language, starts_at, duration, recorded_at,
         status, late_minutes) in rows:
        if starts_at > scope.now or (scope.starts_from and starts_at < scope.starts_from) or (
                scope.starts_before and starts_at >= scope.starts_before):
            continue
        if (scope.initiative_ids is not None and initiative not in scope.initiative_ids) or (
                scope.region is not None and region != scope.region):
            continue
        attended = recorded_at is not None and status in ("present", "late")
        minutes = (duration if status == "present" else late_minutes) if attended else 0
        entry = sums.setdefault(school, [set(), 0, 0, 0, 0])
        entry[1] += 1
        entry[2] += int(attended)
        entry[3] += int(recorded_at is not None and status != "excused")  # excused: not in the rate
        entry[4] += minutes
        totals["attended"] += int(attended)
        totals["recorded"] += int(recorded_at is not None and status != "excused")
        totals["minutes"] += minutes
        if not attended:
            continue
        entry[0].add(student)
        reached.add(student)
        schools_reached.add(school)
        for name, key in (("by_region", region), ("by_settlement_type", settlement), ("by_gender", gender),
                          ("by_grade_band", grade_band(grade)),
                          ("by_month", starts_at.astimezone(local_tz()).strftime("%Y-%m")), ("by_language", language)):
            cells[name][key].add(student)
    report = {"students_reached": len(reached), "schools_reached": len(schools_reached),
              **{name: {key: len(students) for key, students in cells[name].items()}
                 for name in ("by_region", "by_settlement_type", "by_gender", "by_grade_band", "by_month",
                              "by_language")}}
    return {"report": report, "totals": totals, "schools": {school: (len(s), n, a, r, m) for school, (s, n, a, r, m) in sums.items()}}


def _pairs_by_brute_force(scope: reports.Scope) -> dict:
    """{question key: (pairs, mean before, mean after)} of a scope: each pupil's first answer and last answer given
    after an opening one (an opening answer first, then by the workshop's start), in Python. A scope of no
    initiative (a funder funding none) asks no question."""
    if scope.initiative_ids is not None and not scope.initiative_ids:
        return {}
    rows = db.session.execute(
        select(Workshop.initiative_id, Signup.student_id, Response.phase, Workshop.starts_at, Response.id,
               Response.answers, School.region_code, Workshop.status)
        .join(Signup, Signup.id == Response.signup_id).join(Workshop, Workshop.id == Response.workshop_id)
        .join(Student, Student.id == Signup.student_id).join(School, School.id == Student.school_id))
    given: dict[tuple[int, int], list] = defaultdict(list)
    for initiative, student, phase, starts_at, ident, answers, region, status in rows:
        if status == "cancelled" or starts_at > scope.now or (scope.starts_from and starts_at < scope.starts_from) or (
                scope.starts_before and starts_at >= scope.starts_before):
            continue
        if (scope.initiative_ids is not None and initiative not in scope.initiative_ids) or (
                scope.region is not None and region != scope.region):
            continue
        given[(initiative, student)].append((phase != "before", starts_at, ident, answers))
    result = {}
    for key, kind in (("enjoyed", "scale5"), ("ballet_in_theatre", "yesno"), ("confident_dancing", "scale5"),
                      ("knows_ballet_term", "yesno"), ("join_dance_club", "yesno")):
        before, after = [], []
        for answers in given.values():
            values = [(later, float(a[key])) for later, _start, _id, a in sorted(answers, key=lambda g: g[:3])
                      if key in a and a[key] is not None]
            if len(values) >= 2 and values[-1][0]:
                before.append(values[0][1])
                after.append(values[-1][1])
        result[key] = (len(before), round(sum(before) / len(before), 4) if before else None,
                       round(sum(after) / len(after), 4) if after else None)
    return result
