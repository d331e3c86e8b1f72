"""The rules of an initiative's fields, declared once: the allowed values and their messages.

The HTML forms, the API schemas and the services take the allowed values from here (the values themselves
live beside the CHECK constraints in `models.py`).
"""
from __future__ import annotations

from typing import Any

from outreach.i18n import _l
from outreach.initiatives.models import ART_FORMS, INITIATIVE_STATUSES

__all__ = ["ART_FORMS", "INITIATIVE_STATUSES", "art_form_error", "status_error"]

ART_FORM_INVALID = _l("Choose one of the art forms.")
STATUS_INVALID = _l("Choose active or archived.")


def art_form_error(value: Any, *, required: bool = True) -> Any | None:
    """The message for an art form that is missing (when required) or not one of ours (None when fine)."""
    if value is None or value == "":
        return _l("This field is required.") if required else None
    return None if value in ART_FORMS else ART_FORM_INVALID


def status_error(value: Any) -> Any | None:
    """The message for a status that is not active or archived (None when fine or not given)."""
    if value is None or value in INITIATIVE_STATUSES:
        return None
    return STATUS_INVALID
