"""Connects the subscribers of the domain events (outreach/events.py); imported once by create_app.

Order matters where two subscribers write: the audit trail records first, then messages are queued;
the impact facts only collect ids here and are recomputed before the commit.
"""
from outreach.audit import subscribers as audit  # noqa: F401
from outreach.notifications import subscribers as notifications  # noqa: F401
from outreach.outcomes import subscribers as outcomes  # noqa: F401
from outreach.reports import subscribers as reports  # noqa: F401
