"""Route × role rows for sign-in pages: (method, path, expected, endpoint)."""
# Anonymous POSTs carry no CSRF token and are refused (400) before anything else.
SIGNED_IN = {"admin": 200, "coordinator": 200, "school": 200, "funder": 200, "artist": 200}

ROUTES = [
    ("GET", "/login", {"anonymous": 200, "admin": 302, "coordinator": 302, "school": 302, "funder": 302,
                       "artist": 302}, "auth.login"),
    ("POST", "/login", {"anonymous": 400}, "auth.login"),
    ("POST", "/logout", 302, "auth.logout"),
    ("GET", "/account", 200, "auth.account"),
    ("POST", "/account", 200, "auth.account"),
    # ends every session of the account (the test's own too): to the sign-in page
    ("POST", "/account/sign-out-everywhere", 302, "auth.sign_out_everywhere"),
    ("GET", "/invitation/not-a-token", {"anonymous": 404}, "auth.accept_invitation"),
    ("POST", "/invitation/not-a-token", {"anonymous": 400}, "auth.accept_invitation"),
    # revoking a token that is not the user's own: 404 (whose tokens exist is nobody else's business)
    ("POST", "/account/tokens/999999/revoke", 404, "auth.revoke_token"),
    ("GET", "/password/forgot", {"anonymous": 200, **SIGNED_IN}, "auth.forgot_password"),
    ("POST", "/password/forgot", {"anonymous": 400, "admin": 422, "coordinator": 422, "school": 422,
                                  "funder": 422, "artist": 422}, "auth.forgot_password"),
    ("GET", "/password/reset/not-a-token", {"anonymous": 404, "admin": 404}, "auth.reset_password"),
    ("POST", "/password/reset/not-a-token", {"anonymous": 400, "admin": 404}, "auth.reset_password"),
]
