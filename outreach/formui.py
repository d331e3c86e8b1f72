"""What the form macros (templates/_macros/ui.html) need to say about a field to assistive technology."""
from __future__ import annotations

from typing import Any

SELECTS = ("SelectField", "QuerySelectField")


def error_id(field: Any) -> str:
    return f"{field.id}-error"


def help_id(field: Any) -> str:
    return f"{field.id}-help"


def control_attrs(field: Any, help: Any = None, errors: bool = True) -> dict[str, Any]:
    """aria-invalid and aria-describedby (the error first, then the help) for a field's control.

    A required <select> whose first option is a real value (a grade, a language...) always has a value, and the
    HTML standard forbids `required` there: it keeps aria-required so a screen reader still says "required".
    """
    attrs: dict[str, Any] = {}
    described = []
    if errors and field.errors:
        attrs["aria-invalid"] = "true"
        described.append(error_id(field))
    if help:
        described.append(help_id(field))
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.type in SELECTS and field.flags.required:
        first = next(iter(field.iter_choices()), None)
        if first is not None and first[0] not in ("", None):
            attrs["required"] = False
            attrs["aria-required"] = "true"
    return attrs


def fields_with_errors(form: Any) -> list[Any]:
    """The fields to list in a form's error summary, in page order (the CSRF token is said apart)."""
    return [f for f in form if f.errors and f.type != "CSRFTokenField"]


def init_app(app) -> None:
    app.jinja_env.globals.update(control_attrs=control_attrs, fields_with_errors=fields_with_errors,
                                 error_id=error_id, help_id=help_id)
