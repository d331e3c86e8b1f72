"""Route × role rows for the JSON API: (method, path, what the capability's holders get, endpoint).

Each role's request carries its bearer token (the API ignores the session cookie); without one: 401; a role
without the capability: 403 (tests/test_routes_table.py). No body is sent: 400 for a POST, PUT or PATCH once the
role is allowed. Sign-up 1 does not exist (404). Objects of other schools and funders, with bodies, are in
tests/api/test_roles.py.
"""

ROUTES = [
    ("GET", "/api/v1/openapi.json", {"anonymous": 200}, "api.openapi"),
    # no JSON body: 400 before the credentials are looked at
    ("POST", "/api/v1/tokens", {"anonymous": 400}, "api.create_token"),
    ("DELETE", "/api/v1/tokens/current", 204, "api.revoke_current_token"),
    ("GET", "/api/v1/regions", 200, "api.list_regions"),
    ("GET", "/api/v1/funders", 200, "api.list_funders"),
    ("GET", "/api/v1/schools", 200, "api.list_schools"),
    ("POST", "/api/v1/schools", 400, "api.create_school"),
    ("GET", "/api/v1/schools/{school_id}", 200, "api.get_school"),
    ("GET", "/api/v1/initiatives", 200, "api.list_initiatives"),
    ("POST", "/api/v1/initiatives", 400, "api.create_initiative"),
    ("GET", "/api/v1/initiatives/{initiative_id}", 200, "api.get_initiative"),
    ("GET", "/api/v1/workshops", 200, "api.list_workshops"),
    ("POST", "/api/v1/workshops", 400, "api.create_workshop"),
    ("GET", "/api/v1/workshops/{workshop_id}", 200, "api.get_workshop"),
    ("PATCH", "/api/v1/workshops/{workshop_id}", 400, "api.update_workshop"),
    ("GET", "/api/v1/students", 200, "api.list_students"),
    ("POST", "/api/v1/students", 400, "api.create_student"),
    ("GET", "/api/v1/students/{student_id}", 200, "api.get_student"),
    ("DELETE", "/api/v1/students/{student_id}", 204, "api.erase_student"),
    ("POST", "/api/v1/workshops/{workshop_id}/signups", 400, "api.create_signups"),
    ("GET", "/api/v1/workshops/{workshop_id}/signups", 200, "api.list_signups"),
    ("DELETE", "/api/v1/signups/1", 404, "api.cancel_signup"),
    ("PUT", "/api/v1/workshops/{workshop_id}/attendance", 400, "api.put_attendance"),
    ("GET", "/api/v1/workshops/{workshop_id}/attendance", 200, "api.get_attendance"),
    ("POST", "/api/v1/attendance/sync", 400, "api.sync_attendance"),
    ("GET", "/api/v1/reports/impact", 200, "api.impact_report"),
    ("POST", "/api/v1/initiatives/{initiative_id}/questionnaires", 400, "api.create_questionnaire"),
    ("GET", "/api/v1/initiatives/{initiative_id}/questionnaires", 200, "api.list_questionnaires"),
    ("POST", "/api/v1/workshops/{workshop_id}/responses", 400, "api.save_responses"),
    ("GET", "/api/v1/artists", 200, "api.list_artists"),
    ("POST", "/api/v1/artists", 400, "api.create_artist"),
    ("GET", "/api/v1/artists/{artist_id}", 200, "api.get_artist"),
    ("PATCH", "/api/v1/artists/{artist_id}", 400, "api.update_artist"),
    ("POST", "/api/v1/artists/{artist_id}/unavailable", 400, "api.add_unavailable"),
    ("GET", "/api/v1/artists/{artist_id}/hours", 200, "api.artist_hours"),
    ("GET", "/api/v1/venues", 200, "api.list_venues"),
    ("POST", "/api/v1/venues", 400, "api.create_venue"),
    ("GET", "/api/v1/venues/{venue_id}", 200, "api.get_venue"),
    ("PATCH", "/api/v1/venues/{venue_id}", 400, "api.update_venue"),
    ("GET", "/api/v1/students/{student_id}/certificate.pdf?initiative_id={initiative_id}", 409,
     "api.student_certificate"),
    ("GET", "/api/v1/schools/{school_id}/certificates.pdf?initiative_id={initiative_id}", 409,
     "api.school_certificates"),
]
