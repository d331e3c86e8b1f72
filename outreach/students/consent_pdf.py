"""The printable guardian consent form, as a PDF in the guardian's language (WeasyPrint)."""
from __future__ import annotations

from typing import Any

from flask import render_template

from outreach.i18n import LANGUAGES, force_locale

#: Every Kazakh letter (ә ғ қ ң ө ұ ү һ і) is in DejaVu Sans; Debian's fonts-dejavu-core installs it.
FONT_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def consent_form_pdf(lang: str, *, student: Any = None, school_name: str | None = None) -> bytes:
    """A blank consent form, or one with a student's names, grade and school already written in."""
    from weasyprint import HTML  # not a cycle: WeasyPrint takes a second to import; only this PDF needs it

    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    consent = getattr(student, "consent", None)
    with force_locale(lang):
        html = render_template("students/consent_form_pdf.html", lang=lang, student=student, consent=consent,
                               school_name=school_name or (student.school.name if student is not None else None),
                               font_file=FONT_FILE, font_bold_file=FONT_BOLD_FILE)
    return HTML(string=html, base_url="/").write_pdf()
