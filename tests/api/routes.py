"""Route × role rows for the JSON API: (method, path, {role: status}, endpoint).

The API ignores the session cookie (only `Authorization: Bearer` counts), and the table's client signs in
with the cookie, so signed-in roles would get 401 here too: the table checks that no API route answers
without a token (anonymous → 401). The real role × route checks, with tokens, are in tests/api/test_roles.py.
"""
NO_TOKEN = {"anonymous": 401}

ROUTES = [
    ("GET", "/api/v1/openapi.json", {"anonymous": 200}, "api.openapi"),
    # no JSON body: 400 before the credentials are looked at
    ("POST", "/api/v1/tokens", {"anonymous": 400}, "api.create_token"),
    ("DELETE", "/api/v1/tokens/current", NO_TOKEN, "api.revoke_current_token"),
    ("GET", "/api/v1/regions", NO_TOKEN, "api.list_regions"),
    ("GET", "/api/v1/funders", NO_TOKEN, "api.list_funders"),
    ("GET", "/api/v1/schools", NO_TOKEN, "api.list_schools"),
    ("POST", "/api/v1/schools", NO_TOKEN, "api.create_school"),
    ("GET", "/api/v1/schools/{school_id}", NO_TOKEN, "api.get_school"),
    ("GET", "/api/v1/initiatives", NO_TOKEN, "api.list_initiatives"),
    ("POST", "/api/v1/initiatives", NO_TOKEN, "api.create_initiative"),
    ("GET", "/api/v1/initiatives/{initiative_id}", NO_TOKEN, "api.get_initiative"),
    ("GET", "/api/v1/workshops", NO_TOKEN, "api.list_workshops"),
    ("POST", "/api/v1/workshops", NO_TOKEN, "api.create_workshop"),
    ("GET", "/api/v1/workshops/{workshop_id}", NO_TOKEN, "api.get_workshop"),
    ("PATCH", "/api/v1/workshops/{workshop_id}", NO_TOKEN, "api.update_workshop"),
    ("GET", "/api/v1/students", NO_TOKEN, "api.list_students"),
    ("POST", "/api/v1/students", NO_TOKEN, "api.create_student"),
    ("GET", "/api/v1/students/{student_id}", NO_TOKEN, "api.get_student"),
    ("DELETE", "/api/v1/students/{student_id}", NO_TOKEN, "api.erase_student"),
    ("POST", "/api/v1/workshops/{workshop_id}/signups", NO_TOKEN, "api.create_signups"),
    ("GET", "/api/v1/workshops/{workshop_id}/signups", NO_TOKEN, "api.list_signups"),
    ("DELETE", "/api/v1/signups/1", NO_TOKEN, "api.cancel_signup"),
    ("PUT", "/api/v1/workshops/{workshop_id}/attendance", NO_TOKEN, "api.put_attendance"),
    ("GET", "/api/v1/workshops/{workshop_id}/attendance", NO_TOKEN, "api.get_attendance"),
    ("POST", "/api/v1/attendance/sync", NO_TOKEN, "api.sync_attendance"),
    ("GET", "/api/v1/reports/impact", NO_TOKEN, "api.impact_report"),
    ("POST", "/api/v1/initiatives/{initiative_id}/questionnaires", NO_TOKEN, "api.create_questionnaire"),
    ("GET", "/api/v1/initiatives/{initiative_id}/questionnaires", NO_TOKEN, "api.list_questionnaires"),
    ("POST", "/api/v1/workshops/{workshop_id}/responses", NO_TOKEN, "api.save_responses"),
    ("GET", "/api/v1/artists", NO_TOKEN, "api.list_artists"),
    ("POST", "/api/v1/artists", NO_TOKEN, "api.create_artist"),
    ("GET", "/api/v1/artists/{artist_id}", NO_TOKEN, "api.get_artist"),
    ("PATCH", "/api/v1/artists/{artist_id}", NO_TOKEN, "api.update_artist"),
    ("POST", "/api/v1/artists/{artist_id}/unavailable", NO_TOKEN, "api.add_unavailable"),
    ("GET", "/api/v1/artists/{artist_id}/hours", NO_TOKEN, "api.artist_hours"),
    ("GET", "/api/v1/venues", NO_TOKEN, "api.list_venues"),
    ("POST", "/api/v1/venues", NO_TOKEN, "api.create_venue"),
    ("GET", "/api/v1/venues/{venue_id}", NO_TOKEN, "api.get_venue"),
    ("GET", "/api/v1/students/{student_id}/certificate.pdf?initiative_id={initiative_id}", NO_TOKEN,
     "api.student_certificate"),
    ("GET", "/api/v1/schools/{school_id}/certificates.pdf?initiative_id={initiative_id}", NO_TOKEN,
     "api.school_certificates"),
    ("PATCH", "/api/v1/venues/{venue_id}", NO_TOKEN, "api.update_venue"),
]
