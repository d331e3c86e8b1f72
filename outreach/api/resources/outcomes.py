"""Feedback and outcomes: an initiative's questionnaires, and pupils' answers per sign-up (never a name)."""
from __future__ import annotations

from typing import Any

from outreach.access import MANAGE_OUTCOMES, requires
from outreach.api.schemas import outcomes as s
from outreach.api.blueprint import ID, actor, bp
from outreach.initiatives import services as initiatives
from outreach.outcomes import services as outcomes
from outreach.workshops import queries as workshops


@bp.route(f"/initiatives/<{ID}:initiative_id>/questionnaires", methods=["POST"])
@bp.doc(summary="Set the initiative's questionnaire for pupils or teachers (again: its questions are replaced)",
        description="At most 10 questions; kind text only for teachers. Answers already given stay, by key.")
@requires(MANAGE_OUTCOMES)
@bp.arguments(s.QuestionnaireIn)
@bp.response(201, s.QuestionnaireOut)
@bp.errors(400, 401, 404, 413)
def create_questionnaire(data: dict[str, Any], initiative_id: int):
    initiative = initiatives.get_initiative(actor(), initiative_id)
    return outcomes.save_questionnaire(initiative, data, actor=actor())


@bp.route(f"/initiatives/<{ID}:initiative_id>/questionnaires")
@bp.doc(summary="The initiative's questionnaires")
@requires(MANAGE_OUTCOMES)
@bp.response(200, s.QuestionnaireList)
@bp.errors(401, 404)
def list_questionnaires(initiative_id: int):
    initiative = initiatives.get_initiative(actor(), initiative_id)
    return {"items": outcomes.questionnaires(initiative)}


@bp.route(f"/workshops/<{ID}:workshop_id>/responses", methods=["POST"])
@bp.doc(summary="Pupils' answers, per sign-up and never with a name (answering again replaces; skipping is "
                "allowed)")
@requires(MANAGE_OUTCOMES)
@bp.arguments(s.ResponsesIn)
@bp.response(200, s.ResponsesOut)
@bp.errors(400, 401, 404, 409, 413)
def save_responses(data: dict[str, Any], workshop_id: int):
    workshops.get_workshop(actor(), workshop_id)
    return {"saved": outcomes.save_responses(workshop_id, data["items"], actor=actor())}
