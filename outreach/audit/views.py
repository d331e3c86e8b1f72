"""The audit log for administrators: who changed what, when (ids and codes shown as readable labels)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import Blueprint, render_template, request
from sqlalchemy import select

from outreach import params
from outreach.access import READ_AUDIT, requires
from outreach.audit import services
from outreach.audit.forms import AuditFilterForm
from outreach.audit.models import AuditEvent
from outreach.auth.models import User
from outreach.collation import by_name
from outreach.dbtypes import local_tz
from outreach.extensions import db
from outreach.i18n import _
from outreach.web import paginate

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _actor_choices() -> list[tuple[str, str]]:
    actors = db.session.scalars(select(User).where(User.id.in_(
        select(AuditEvent.actor_id).where(AuditEvent.actor_id.is_not(None)).distinct())).order_by(*by_name(User.name), User.id))
    return [("", _("Anyone")), *((str(u.id), u.display_name) for u in actors)]


def _start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_tz())


@bp.route("")
@requires(READ_AUDIT)
def index():
    filters = AuditFilterForm(request.args)
    filters.actor.choices = _actor_choices()
    filters.action.choices = [("", _("Any change")), *services.ACTIONS.items()]
    filters.object_type.choices = [("", _("Any kind")), *services.OBJECT_TYPES.items()]
    filters.validate()
    if params.to_id(filters.actor.data) is None:  # junk or a number no account can have: anyone
        filters.actor.data = None

    def value(field):
        return field.data if field.data not in (None, "") and not field.errors else None

    actor = value(filters.actor)
    since, until = value(filters.since), value(filters.until)
    query = services.events_query(
        actor_id=params.to_id(actor), action=value(filters.action),
        object_type=value(filters.object_type), object_id=value(filters.object_id),
        since=_start_of(since) if since else None, until=_start_of(until + timedelta(days=1)) if until else None)
    page = paginate(query)
    filtered = any(value(f) is not None for f in (filters.actor, filters.action, filters.object_type,
                                                  filters.object_id, filters.since, filters.until))
    return render_template("audit/index.html", page=page, filters=filters, filtered=filtered,
                           names=services.names_for(page.items), labels=services.labels())
