"""The shapes of the API's certificates of participation (the answers are PDF files)."""
from __future__ import annotations

from outreach.api import fields as f
from outreach.i18n import LANGUAGES
from outreach.workshops.rules import MAX_GRADE, MIN_GRADE


class CertificateArgs(f.Query):
    initiative_id = f.QueryInteger(required=True, minimum=1, metadata={
        "description": "The initiative the certificate is for; missing, not a number or not an initiative: 422"})
    lang = f.QueryString(validate=f.OneOf(LANGUAGES), metadata={
        "description": "kk, ru or en; default the school's language (kk or ru; a school teaching in both: the "
                       "Accept-Language one of them, else kk)"})


class SchoolCertificatesArgs(CertificateArgs):
    grade = f.QueryInteger(minimum=MIN_GRADE, maximum=MAX_GRADE, metadata={
        "description": "Extra: only the students of this grade (one class)"})
