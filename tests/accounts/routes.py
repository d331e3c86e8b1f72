"""Route × role rows for accounts and invitations: (method, path, {role: status}, endpoint)."""
ADMIN_ONLY = {"admin": 200, "coordinator": 403, "school": 403, "funder": 403}
STAFF = {"admin": 200, "coordinator": 200, "school": 403, "funder": 403}

ROUTES = [
    ("GET", "/accounts", {"anonymous": 302, **ADMIN_ONLY}, "accounts.index"),
    # the search by POST: an empty one is a search for everything (back to the list)
    ("POST", "/accounts/search", {"anonymous": 400, **{**ADMIN_ONLY, "admin": 303}}, "accounts.search"),
    ("GET", "/accounts/{school_user_id}", {"anonymous": 302, **ADMIN_ONLY}, "accounts.detail"),
    # posted with only a CSRF token: nothing changes, back to the account page (302)
    ("POST", "/accounts/{school_user_id}/role",
     {"anonymous": 400, "admin": 302, "coordinator": 403, "school": 403, "funder": 403}, "accounts.change_role"),
    ("POST", "/accounts/{school_user_id}/deactivate",
     {"anonymous": 400, "admin": 302, "coordinator": 403, "school": 403, "funder": 403}, "accounts.deactivate"),
    ("POST", "/accounts/{school_user_id}/reactivate",
     {"anonymous": 400, "admin": 302, "coordinator": 403, "school": 403, "funder": 403}, "accounts.reactivate"),
    # makes a one-time reset link and shows it in the answer (200); the school user is active with a password
    ("POST", "/accounts/{school_user_id}/reset-link",
     {"anonymous": 400, "admin": 200, "coordinator": 403, "school": 403, "funder": 403}, "accounts.reset_link"),
    ("GET", "/invitations", {"anonymous": 302, **STAFF}, "accounts.invitation_list"),
    ("GET", "/invitations/new", {"anonymous": 302, **ADMIN_ONLY}, "accounts.invite"),
    ("POST", "/invitations/new",
     {"anonymous": 400, "admin": 422, "coordinator": 403, "school": 403, "funder": 403}, "accounts.invite"),
    # a new link, shown in the answer (200), never kept in the session
    ("POST", "/invitations/{invitation_id}/resend",
     {"anonymous": 400, "admin": 200, "coordinator": 200, "school": 403, "funder": 403}, "accounts.resend_invitation"),
    ("POST", "/invitations/{invitation_id}/revoke",
     {"anonymous": 400, "admin": 302, "coordinator": 302, "school": 403, "funder": 403}, "accounts.revoke_invitation"),
    # an invitation of a coordinator is the admins' to manage: for a coordinator it does not exist
    ("POST", "/invitations/{staff_invitation_id}/revoke",
     {"anonymous": 400, "admin": 302, "coordinator": 404, "school": 403, "funder": 403}, "accounts.revoke_invitation"),
]
