"""Route × role rows for the questionnaire pages: coordinators' pages, the pupils' answering page (those who take
attendance), its session endpoint, and the teachers' one-time link (no account)."""
EVERYONE = {"anonymous": 200, "admin": 200, "coordinator": 200, "school": 200, "funder": 200, "artist": 200}

ROUTES = [
    ("GET", "/initiatives/{initiative_id}/questionnaires", 200, "outcomes.questionnaires"),
    # a form without its fields: the page again with the errors
    ("POST", "/initiatives/{initiative_id}/questionnaires/target", 422, "outcomes.outcome_target"),
    ("POST", "/initiatives/{initiative_id}/questionnaires/students/library", 302, "outcomes.start_from_library"),
    ("GET", "/workshops/{workshop_id}/answers/before", 200, "outcomes.answer"),
    ("POST", "/workshops/{workshop_id}/answers/before", 302, "outcomes.answer"),
    # the table posts a form, not JSON: 400 for those who take attendance, 403 for other roles
    ("POST", "/attendance/answers", 400, "outcomes.sync_answers"),
    ("GET", "/feedback/{feedback_token}", EVERYONE, "outcomes.teacher_answer"),
    # a form with no answer: 422 ("answer at least one question"); anonymous: no CSRF token
    ("POST", "/feedback/{feedback_token}",
     {"anonymous": 400, "admin": 422, "coordinator": 422, "school": 422, "funder": 422, "artist": 422},
     "outcomes.teacher_answer"),
]
