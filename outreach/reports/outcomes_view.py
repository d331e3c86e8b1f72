"""The report's Outcomes section in words: pupils' answers before and after per question, the teachers' answers,
and (for coordinators) the teachers' newest comments. The figures come protected from the report (a funder's
hidden item has None)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_decimal, format_percent
from markupsafe import Markup

from outreach.dates import quoted_inside
from outreach.i18n import _, localize
from outreach.outcomes.models import SCALE5, TEXT, YESNO
from outreach.reports import charts

SCALE_TOP = {SCALE5: 5.0, YESNO: 1.0}


@dataclass
class OutcomeRow:
    key: str
    label: str
    kind: str
    pairs_text: str
    before_text: str
    after_text: str
    change_text: str
    suppressed: bool


@dataclass
class FeedbackRow:
    key: str
    label: str
    kind: str
    responses_text: str
    mean_text: str
    suppressed: bool


@dataclass
class OutcomesView:
    rows: list[OutcomeRow]
    feedback: list[FeedbackRow]
    comments: list[str] = field(default_factory=list)
    chart: Markup | None = None
    hidden_text: str = ""
    feedback_hidden_text: str = ""
    target: "TargetView | None" = None


@dataclass
class TargetView:
    """An initiative's outcome target in words, and how far its pupils are (None: hidden or nobody answered yet)."""

    text: str
    reached_text: str
    share: float | None
    percent: int


def present_target(target: dict[str, Any] | None, threshold: int | None) -> TargetView | None:
    if not target:
        return None
    question = quoted_inside(localize(target["text"]).text)  # it goes inside «…»
    if target["kind"] == YESNO:
        text = _("%(percent)s of pupils say yes to «%(question)s» in their last answer",
                 percent=format_percent(target["percent"] / 100, "#,##0%"), question=question)
    else:
        text = _("%(percent)s of pupils rate «%(question)s» 4 or 5 in their last answer",
                 percent=format_percent(target["percent"] / 100, "#,##0%"), question=question)
    if target.get("suppressed"):
        reached = _("fewer than %(threshold)s pupils answered", threshold=format_decimal(threshold or 0))
    elif target["share"] is None:
        reached = _("nobody has answered after a workshop yet")
    elif target.get("met") is not None:
        reached = _("%(share)s so far (%(met)s of %(answered)s pupils)", share=format_percent(target["share"], "#,##0%"),
                    met=format_decimal(target["met"]), answered=format_decimal(target["answered"]))
    else:
        reached = _("%(share)s so far", share=format_percent(target["share"], "#,##0%"))
    return TargetView(text, reached, target["share"], target["percent"])


def value_text(kind: str, value: float | None) -> str:
    """2,9 (of five faces or stars) or 36 % (of pupils saying yes)."""
    if value is None:
        return "—"
    return format_percent(value, "#,##0%") if kind == YESNO else format_decimal(value, "0.0")


def change_text(kind: str, change: float | None) -> str:
    if change is None:
        return "—"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    if kind == YESNO:
        return _("%(points)s pp", points=sign + format_decimal(abs(change) * 100, "0"))
    return sign + format_decimal(abs(change), "0.0")


def present_outcomes(report: dict[str, Any]) -> OutcomesView | None:
    """None when the selection's initiatives ask no questions (or the report is hidden)."""
    threshold = report.get("suppression_threshold")
    if not report.get("outcomes") and not report.get("teacher_feedback") and not report.get("outcome_target"):
        return None
    hidden = _("fewer than %(threshold)s pupils answered both times", threshold=format_decimal(threshold or 0))
    rows = []
    for item in report.get("outcomes", []):
        label = localize(item["text"]).text
        pairs = item["pairs"]
        rows.append(OutcomeRow(item["key"], label, item["kind"],
                               hidden if item["suppressed"] else format_decimal(pairs or 0),
                               value_text(item["kind"], item["before_mean"]), value_text(item["kind"], item["after_mean"]),
                               change_text(item["kind"], item["change"]), item["suppressed"] or not pairs))
    feedback_hidden = _("fewer than %(threshold)s teachers answered", threshold=format_decimal(threshold or 0))
    feedback = []
    for item in report.get("teacher_feedback", []):
        feedback.append(FeedbackRow(item["key"], localize(item["text"]).text, item["kind"],
                                    feedback_hidden if item["suppressed"] else format_decimal(item["responses"] or 0),
                                    "" if item["kind"] == TEXT else value_text(item["kind"], item["mean"]),
                                    item["suppressed"]))
    view = OutcomesView(rows, feedback, list(report.get("teacher_comments") or []), hidden_text=hidden,
                        feedback_hidden_text=feedback_hidden,
                        target=present_target(report.get("outcome_target"), threshold))
    if any(item["pairs"] for item in report.get("outcomes", [])) or any(r.suppressed for r in rows):
        view.chart = charts.paired_bars(
            [(row.label, item["before_mean"], item["after_mean"], SCALE_TOP.get(item["kind"], 1.0),
              _("before: %(value)s", value=row.before_text), _("after: %(value)s", value=row.after_text),
              hidden if item["suppressed"] else _("nobody answered both times yet"))
             for row, item in zip(rows, report.get("outcomes", []))],
            title=_("Pupils' answers before and after"),
            desc=_("Two bars per question: the lighter one before, the darker one after. The table below lists "
                   "every value."))
    return view
