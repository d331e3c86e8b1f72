"""Route × role rows for accounts and invitations: (method, path, expected, endpoint)."""

ROUTES = [
    ("GET", "/accounts", 200, "accounts.index"),
    # the search by POST: an empty one is a search for everything (back to the list)
    ("POST", "/accounts/search", 303, "accounts.search"),
    ("GET", "/accounts/{school_user_id}", 200, "accounts.detail"),
    # posted with only a CSRF token: nothing changes, back to the account page (302)
    ("POST", "/accounts/{school_user_id}/role", 302, "accounts.change_role"),
    ("POST", "/accounts/{school_user_id}/deactivate", 302, "accounts.deactivate"),
    ("POST", "/accounts/{school_user_id}/reactivate", 302, "accounts.reactivate"),
    # makes a one-time reset link and shows it in the answer (200); the school user is active with a password
    ("POST", "/accounts/{school_user_id}/reset-link", 200, "accounts.reset_link"),
    ("GET", "/invitations", 200, "accounts.invitation_list"),
    ("GET", "/invitations/new", 200, "accounts.invite"),
    ("POST", "/invitations/new", 422, "accounts.invite"),
    # a new link, shown in the answer (200), never kept in the session
    ("POST", "/invitations/{invitation_id}/resend", 200, "accounts.resend_invitation"),
    ("POST", "/invitations/{invitation_id}/revoke", 302, "accounts.revoke_invitation"),
    # an invitation of a coordinator is the admins' to manage: for a coordinator it does not exist
    ("POST", "/invitations/{staff_invitation_id}/revoke",
     {"ok": 302, "coordinator": 404}, "accounts.revoke_invitation"),
]
