"""The outbox for administrators. Requests only queue messages; the outbox worker sends them."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from outreach.access import READ_OUTBOX, requires
from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.notifications import sending, services
from outreach.notifications.forms import RetryForm
from outreach.web import domain_error, paginate

bp = Blueprint("notifications", __name__, url_prefix="/outbox")


@bp.route("")
@requires(READ_OUTBOX)
def outbox():
    status = request.args.get("status") if request.args.get("status") in services.STATUSES else None
    page = paginate(services.outbox_query(status=status))
    return render_template("notifications/outbox.html", page=page, status=status,
                           counts=services.outbox_counts(), status_of=services.status_of, kinds=services.KINDS,
                           statuses=services.STATUSES, mail_configured=sending.mail_configured())


@bp.route("/<int:message_id>")
@requires(READ_OUTBOX)
def message(message_id: int):
    item = services.get_message(message_id)
    return render_template("notifications/message.html", message=item, body=services.body_for_admins(item),
                           status=services.status_of(item),
                           kinds=services.KINDS, statuses=services.STATUSES, form=RetryForm(),
                           failed_after=services.FAILED_AFTER, mail_configured=sending.mail_configured())


@bp.route("/<int:message_id>/retry", methods=["POST"])
@requires(READ_OUTBOX)
def retry(message_id: int):
    form = RetryForm()
    if form.validate_on_submit():
        try:
            services.retry_now(message_id)
        except OutreachError as error:
            if error.status == 404:
                raise
            domain_error(error)
        else:
            if sending.mail_configured():
                flash(_("The message will be sent in a moment."), "success")
            else:
                flash(_("The message is due now, but no mail server is configured: it stays in the outbox."),
                      "warning")
    return redirect(url_for("notifications.message", message_id=message_id))
