"""What a role may do at all: the roles, the capability table, `can()`, the `requires()` decorator of views and API
resources, and the endpoints open to everyone (`PUBLIC`). Part of the access rules (`outreach/access/`): the
object checks, loaders and scoped queries are in `outreach/access/__init__.py`, which also offers all of this.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable

from flask import abort, current_app, request
from flask_login import current_user

from outreach.errors import Forbidden, OutreachError
from outreach.extensions import login_manager
from outreach.i18n import _

ADMIN, COORDINATOR, SCHOOL, FUNDER = "admin", "coordinator", "school", "funder"
#: a teaching artist bound to one artist record: its own workshops, their attendance and its own hours only;
#: refused every capability that does not name it.
ARTIST = "artist"
STAFF = (ADMIN, COORDINATOR)


class _System:
    """The programme itself acting from a command (retention, a restore re-applying erasures): no account, staff's
    reach. Only commands use it; no request can be it."""

    id = None
    role = ADMIN
    school_id = funder_id = artist_id = None
    is_authenticated = True
    locale = "en"

    def __repr__(self) -> str:
        return "<the system>"


SYSTEM = _System()


#: every role, in the order the accounts pages list them
ROLES = (ADMIN, COORDINATOR, SCHOOL, FUNDER, ARTIST)


@dataclass(frozen=True)
class Capability:
    """Something a role may do at all; which objects it may do it to is the loaders' and scopes' business."""

    name: str
    roles: frozenset[str]
    meaning: str

    def __repr__(self) -> str:
        return self.name

    @property
    def open_to_every_role(self) -> bool:
        return self.roles == frozenset(ROLES)


def _capability(name: str, roles: tuple[str, ...], meaning: str) -> Capability:
    return Capability(name, frozenset(roles), meaning)


SIGNED_IN = _capability("SIGNED_IN", ROLES, "any signed-in account: its own account page, sign-out, its tokens")
SEE_WORKSHOPS = _capability("SEE_WORKSHOPS", ROLES,
                            "a workshop's page and the API's workshops (scoped: visible_workshops)")
FOLLOW_CALENDAR = _capability("FOLLOW_CALENDAR", (*STAFF, SCHOOL, ARTIST),
                              "the workshop calendar, its feed, and seat counts (funders see children's counts "
                              "only through the impact report)")
SCHEDULE_WORKSHOPS = _capability("SCHEDULE_WORKSHOPS", STAFF,
                                 "list every workshop, schedule, edit and cancel workshops and series")
CHANGE_AFTER_START = _capability("CHANGE_AFTER_START", STAFF,
                                 "add and cancel sign-ups once a workshop has started")
TAKE_ATTENDANCE = _capability("TAKE_ATTENDANCE", (*STAFF, ARTIST),
                              "record attendance and the pupils' answers (artists: their own workshops only)")
KEEP_ROSTER = _capability("KEEP_ROSTER", (*STAFF, SCHOOL),
                          "keep a school's roster: children by name, imports, sign-ups (schools: their own)")
ACT_FOR_SCHOOL = _capability("ACT_FOR_SCHOOL", (SCHOOL,),
                             "a school representative's own pages: workshops to sign up to, its sign-ups")
SEE_SCHOOLS = _capability("SEE_SCHOOLS", (*STAFF, SCHOOL),
                          "schools through the API (schools: their own)")
SEE_SCHOOLS_DIRECTORY = _capability("SEE_SCHOOLS_DIRECTORY", (*STAFF, SCHOOL, ARTIST),
                                    "the names of the schools on workshop pages")
MANAGE_SCHOOLS = _capability("MANAGE_SCHOOLS", STAFF, "the schools pages: add, edit, invite representatives")
SEE_INITIATIVES = _capability("SEE_INITIATIVES", (*STAFF, FUNDER),
                              "the initiatives pages (funders: those they fund)")
MANAGE_INITIATIVES = _capability("MANAGE_INITIATIVES", STAFF, "create, edit and archive initiatives")
MANAGE_FUNDERS = _capability("MANAGE_FUNDERS", STAFF, "the funders pages: add, edit, invite representatives")
MANAGE_ARTISTS = _capability("MANAGE_ARTISTS", STAFF,
                             "teaching artists and venues: records, unavailability, merges, hours, invitations")
SEE_ARTIST_HOURS = _capability("SEE_ARTIST_HOURS", (*STAFF, ARTIST),
                               "an artist's delivered hours (artists: their own)")
MANAGE_OUTCOMES = _capability("MANAGE_OUTCOMES", STAFF, "questionnaires and outcome targets of initiatives")
SEE_REPORTS = _capability("SEE_REPORTS", (*STAFF, FUNDER),
                          "the impact report: with exact figures (SEE_EXACT_FIGURES), else protected figures "
                          "(small counts suppressed: reports/privacy.py)")
SEE_EXACT_FIGURES = _capability("SEE_EXACT_FIGURES", STAFF,
                                "exact figures, the per-school table and the sign-up export")
INVITE = _capability("INVITE", STAFF, "the invitations list; resend and revoke (the roles in invitable_roles)")
MANAGE_ACCOUNTS = _capability("MANAGE_ACCOUNTS", (ADMIN,),
                              "the accounts pages: list, change role, deactivate, reset links, invite staff")
READ_AUDIT = _capability("READ_AUDIT", (ADMIN,), "the audit log")
READ_OUTBOX = _capability("READ_OUTBOX", (ADMIN,), "the outgoing mail: messages, failures, retries")
MAKE_CERTIFICATES = _capability("MAKE_CERTIFICATES", (*STAFF, SCHOOL),
                                "certificates of participation, by name: the student's own school and staff only")
RECEIVE_REMINDERS = _capability("RECEIVE_REMINDERS", (SCHOOL, ARTIST),
                                "the day-before reminders and the follow-up of absences by e-mail (their own "
                                "pupils, their own workshops); the account page turns them off")

#: the capability table, by name
CAPABILITIES: dict[str, Capability] = {c.name: c for c in (
    SIGNED_IN, SEE_WORKSHOPS, FOLLOW_CALENDAR, SCHEDULE_WORKSHOPS, CHANGE_AFTER_START, TAKE_ATTENDANCE,
    KEEP_ROSTER, ACT_FOR_SCHOOL, SEE_SCHOOLS, SEE_SCHOOLS_DIRECTORY, MANAGE_SCHOOLS, SEE_INITIATIVES,
    MANAGE_INITIATIVES, MANAGE_FUNDERS, MANAGE_ARTISTS, SEE_ARTIST_HOURS, MANAGE_OUTCOMES, SEE_REPORTS,
    SEE_EXACT_FIGURES, INVITE, MANAGE_ACCOUNTS, READ_AUDIT, READ_OUTBOX, MAKE_CERTIFICATES, RECEIVE_REMINDERS)}

#: endpoints open without a capability: signing in, resets and invitations by token, health, static files, the
#: token-carrying calendar feed and teachers' answer links, the API's token exchange and its document.
#: Everything else declares one (tests/test_house.py checks that).
PUBLIC = frozenset({
    "static", "bootstrap.static", "reports.static",
    "auth.login", "auth.forgot_password", "auth.reset_password", "auth.accept_invitation",
    "health.healthz", "health.readyz",
    "home.index",  # the sign-in invitation for the anonymous, each role's dashboard for the rest
    "offline.offline_page", "offline.service_worker", "offline.manifest",
    "reports.privacy_page",  # how funders' figures protect children: no data
    "workshops.feed", "outcomes.teacher_answer",  # by the token in the link
    "api.create_token", "api.openapi",
})


def can(user: Any, capability: Capability) -> bool:
    """Whether the user's role holds the capability (anonymous users hold none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "role", None) in capability.roles


def _is_api() -> bool:
    return request.blueprint == "api"


def requires(capability: Capability, refused: Callable[[int], Any] | None = None) -> Callable:
    """Only signed-in users whose role holds the capability. Others: HTML 403 (anonymous: the sign-in page);
    in the API the error JSON (403; 401 without a token, answered before this by the blueprint). `refused(status)`
    answers 401/403 itself (the offline page's JSON endpoints, which say what happens to the marks kept)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if refused is not None and not can(current_user, capability):
                return refused(401 if not current_user.is_authenticated else 403)
            if not current_user.is_authenticated:
                if _is_api():
                    raise OutreachError(_("Send a valid API token: Authorization: Bearer <token>."),
                                        code="unauthorized", status=401)
                return login_manager.unauthorized()
            if not can(current_user, capability):
                if _is_api():
                    raise Forbidden(_("Your role may not do this."))
                abort(403)
            return view(*args, **kwargs)

        wrapped.capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator


def capability_of(view: Callable) -> Capability | None:
    """The capability a view function declared with `requires` (None: it declared none)."""
    return getattr(view, "capability", None)


def may_open(user: Any, endpoint: str) -> bool:
    """Whether the endpoint exists and the user's role may open it (links in menus and pages)."""
    view = current_app.view_functions.get(endpoint)
    if view is None:
        return False
    capability = capability_of(view)
    return endpoint in PUBLIC if capability is None else can(user, capability)


def template_helpers() -> dict[str, Callable]:
    """`can("KEEP_ROSTER")` and `may_open("funders.index")` for templates, for the signed-in user."""
    return {"can": lambda name: can(current_user, CAPABILITIES[name]),
            "may_open": lambda endpoint: may_open(current_user, endpoint)}
