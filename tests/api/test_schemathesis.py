"""Schemathesis drives the API from its OpenAPI document alone, with a demo coordinator's token:
no server error and no response that breaks the document, for valid and invalid requests alike."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from outreach.auth.models import User
from outreach.auth.services import issue_api_token
from outreach.extensions import db

# per operation and phase: the run stays within a minute or two (raise it for a deeper local run)
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", 30))

schema = schemathesis.pytest.from_fixture("api_schema")
# operations with rules a JSON schema cannot state (see below)
BEYOND_THE_SCHEMA = ("create_initiative", "create_workshop", "update_workshop", "put_attendance", "create_signups",
                     "create_student", "impact_report",
                     # an e-mail address as the mail system reads it, a period whose end is after its start, a
                     # venue's school that exists
                     "create_artist", "update_artist", "add_unavailable", "create_venue", "update_venue",
                     # a question's text in at least one language, text questions for teachers only, an answer
                     # that fits its question's kind, a sign-up of the workshop
                     "create_questionnaire", "save_responses",
                     # a school's name that is more than spaces (a lone no-break space is blank once trimmed)
                     "create_school",
                     # a certificate's initiative that exists
                     "student_certificate", "school_certificates")


@pytest.fixture(autouse=True)
def _node_id(request):
    # schemathesis' lazy schemas rename the test node through a private attribute pytest 9 no longer sets
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = str(request.node.nodeid)


@pytest.fixture
def api_schema(app, seeded):
    coordinator = db.session.scalar(db.select(User).where(User.email == "coordinator@example.org"))
    token, _row = issue_api_token(coordinator)
    db.session.commit()
    config = schemathesis.Config.from_dict({
        "generation": {"max-examples": MAX_EXAMPLES, "allow-extra-parameters": False},
        "auth": {"openapi": {"bearerAuth": {"bearer": token}}},
        # Every check, positive data acceptance included: what the document allows, the server accepts. A
        # request may still meet a state the document cannot know: an id that does not exist (404), a clash or
        # a full workshop (409), another school's object (403/404), too many sign-in attempts (429).
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "429"]}},
        # Only these operations may answer 422 to schema-valid data, for rules a JSON schema cannot state: one
        # field against another (ends_on >= starts_on, min_grade <= max_grade, the report's from <= to) or
        # against stored data (the
        # workshop's start within its initiative's dates, a referenced school or funder that exists, attendance
        # only for confirmed sign-ups, a student's grade within the workshop's grades, an artist's e-mail address,
        # an unavailable period's end after its start, a venue's school, a questionnaire's and an answer's rules).
        "operations": [{"include-operation-id": list(BEYOND_THE_SCHEMA), "checks": {
            "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]},
        }}],
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)


@pytest.mark.slow
@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_matches_its_openapi_document(case):
    case.call_and_validate()
