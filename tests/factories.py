"""Small factories: make_x(**overrides) returns a flushed object with sensible defaults."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

from outreach.artists.models import Artist
from outreach.auth.models import User
from outreach.auth.passwords import hash_password
from outreach.extensions import db
from outreach.funders.models import Funder
from outreach.initiatives.models import Initiative
from outreach.reports import counts
from outreach.schools.models import School
from outreach.naming import clean, fold
from outreach.students.models import GuardianConsent, Student
from outreach.venues.models import Venue
from outreach.workshops.models import Workshop
from tests.clock import programme_today

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_school(**kw) -> School:
    n = next(_seq)
    school = School(region_code=kw.pop("region_code", "KZ-71"), locality=kw.pop("locality", "Астана"),
                    settlement_type=kw.pop("settlement_type", "urban"))
    school.set_name(kw.pop("name", f"№{n} мектеп"))
    school.languages = kw.pop("languages", ["kk"])
    for key, value in kw.items():
        setattr(school, key, value)
    db.session.add(school)
    db.session.flush()
    return school


def make_funder(**kw) -> Funder:
    funder = Funder(name=kw.pop("name", f"Қор {next(_seq)}"), **kw)
    db.session.add(funder)
    db.session.flush()
    return funder


def make_user(role: str = "coordinator", **kw) -> User:
    n = next(_seq)
    if role == "school" and "school_id" not in kw and "school" not in kw:
        kw["school"] = make_school()
    if role == "funder" and "funder_id" not in kw and "funder" not in kw:
        kw["funder"] = make_funder()
    if role == "artist" and "artist_id" not in kw and "artist" not in kw:
        kw["artist"] = make_artist()
    user = User(role=role, locale=kw.pop("locale", "en"), name=kw.pop("name", f"{role} {n}"))
    user.set_email(kw.pop("email", f"{role}{n}@example.org"))
    user.password_hash = hash_password(kw.pop("password", PASSWORD))
    for key, value in kw.items():
        setattr(user, key, value)
    db.session.add(user)
    db.session.flush()
    return user


def make_initiative(**kw) -> Initiative:
    today = programme_today()
    funders = kw.pop("funders", [])
    initiative = Initiative(title=kw.pop("title", {"kk": "Балет", "ru": "Балет", "en": "Ballet"}),
                            description=kw.pop("description", {}), art_form=kw.pop("art_form", "ballet"),
                            starts_on=kw.pop("starts_on", today - timedelta(days=365)),
                            ends_on=kw.pop("ends_on", today + timedelta(days=365)),
                            target_students=kw.pop("target_students", 100), **kw)
    initiative.funders = funders
    db.session.add(initiative)
    db.session.flush()
    if funders:  # as the service does (by its event): the funders' kept report counts follow their initiatives
        counts.refresh_funder_scopes()
    return initiative


def make_artist(name: str | None = None, **kw) -> Artist:
    name = clean(name or f"Педагог {next(_seq)}")
    artist = Artist(name=name, name_folded=fold(name), art_forms=kw.pop("art_forms", ["ballet"]),
                    languages=kw.pop("languages", ["kk", "ru"]), **kw)
    db.session.add(artist)
    db.session.flush()
    return artist


def make_venue(name: str | None = None, **kw) -> Venue:
    name = clean(name or f"Зал {next(_seq)}")
    locality = kw.pop("locality", "Алматы")
    venue = Venue(name=name, name_folded=fold(name), region=kw.pop("region", "KZ-75"), locality=locality,
                  locality_folded=fold(locality) if locality else None, **kw)
    db.session.add(venue)
    db.session.flush()
    return venue


def artist_named(name: str) -> Artist:
    """The artist whose name folds like `name`, made when there is none."""
    return db.session.query(Artist).filter_by(name_folded=fold(name)).order_by(Artist.id).first() or make_artist(name)


def venue_named(name: str) -> Venue:
    """The venue whose name folds like `name`, made when there is none (in Almaty)."""
    return db.session.query(Venue).filter_by(name_folded=fold(name)).order_by(Venue.id).first() or make_venue(name)


def make_workshop(**kw) -> Workshop:
    initiative = kw.pop("initiative", None) or make_initiative()
    starts_at = kw.pop("starts_at", datetime.now(timezone.utc) + timedelta(days=7))
    duration = kw.pop("duration_minutes", 90)
    n = next(_seq)
    artist = kw.pop("artist", None) or artist_named(kw.pop("instructor", f"Педагог {n}"))
    place = kw.pop("place", None) or venue_named(kw.pop("venue", f"Зал {n}"))
    workshop = Workshop(artist=artist, instructor=artist.name, place=place, venue=place.name,
                        initiative_id=initiative.id, title=kw.pop("title", {"kk": f"Сабақ {n}", "en": f"Workshop {n}"}),
                        capacity=kw.pop("capacity", 10), language=kw.pop("language", "kk"),
                        min_grade=kw.pop("min_grade", 0), max_grade=kw.pop("max_grade", 11),
                        seats_taken=0, waitlist_length=0, **kw)
    workshop.set_time(starts_at, duration)
    db.session.add(workshop)
    db.session.flush()
    return workshop


def make_student(school: School | None = None, **kw) -> Student:
    school = school or make_school()
    n = next(_seq)
    student = Student(school_id=school.id, first_name=kw.pop("first_name", f"Оқушы{n}"),
                      last_name=kw.pop("last_name", "Сейітова"), grade=kw.pop("grade", 5),
                      gender=kw.pop("gender", "female"), **kw)
    student.consent = GuardianConsent(guardian_name="Айгүл Сейітова", relationship_to_student="анасы",
                                      given_on=programme_today(), method="paper")
    db.session.add(student)
    db.session.flush()
    return student
