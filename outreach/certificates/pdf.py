"""Certificates of participation as a printable A4 PDF (WeasyPrint), one page per student, in the certificate's
language, with the fonts and base URL of the consent form (DejaVu Sans has every Kazakh letter)."""
from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import format_decimal

from outreach.certificates.services import Certificate, grade_label
from outreach.dates import fmt_date
from outreach.dbtypes import local_tz
from outreach.i18n import _, force_locale, localize, pgettext
from outreach.students.consent_pdf import FONT_BOLD_FILE, FONT_FILE

SERIF_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
SERIF_BOLD_FILE = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"


def _took_part(gender: str) -> str:
    # Russian says who took part by gender (принял / приняла); Kazakh and English do not
    if gender == "female":
        return pgettext("certificate, a girl", "took part in the initiative")
    if gender == "male":
        return pgettext("certificate, a boy", "took part in the initiative")
    return _("took part in the initiative")


def _lines(certificate: Certificate) -> dict:
    """The certificate's words, in its language (called inside force_locale)."""
    initiative = certificate.initiative
    first, last = certificate.first_day, certificate.last_day
    dates = fmt_date(first) if first == last else _("%(first)s – %(last)s", first=fmt_date(first), last=fmt_date(last))
    return {
        "name": certificate.student.full_name,
        "school": certificate.student.school.name,
        "grade": grade_label(certificate.student.grade),
        "took_part": _took_part(certificate.student.gender),
        "initiative": localize(initiative.title, certificate.language).text,
        "art_form": initiative.art_form_title,
        # a label, not a count: "Teaching artists" when the workshops had several
        "artists_label": _("Teaching artist") if len(certificate.artists) <= 1 else _("Teaching artists"),
        "artists": ", ".join(certificate.artists),
        "sessions": format_decimal(certificate.sessions),
        "hours": format_decimal(round(certificate.hours, 1), "#,##0.#"),
        "dates": dates,
    }


def certificates_pdf(certificates: list[Certificate], language: str) -> bytes:
    """One page per certificate, all in `language`."""
    from weasyprint import HTML  # not a cycle: WeasyPrint takes a second to import; only these PDFs need it

    with force_locale(language):
        issued = fmt_date(datetime.now(local_tz()).date())
        html = render_template("certificates/certificate_pdf.html", lang=language, issued=issued,
                               pages=[_lines(c) for c in certificates], font_file=FONT_FILE,
                               font_bold_file=FONT_BOLD_FILE, serif_file=SERIF_FILE, serif_bold_file=SERIF_BOLD_FILE)
    return HTML(string=html, base_url="/").write_pdf()
