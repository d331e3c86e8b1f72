"""The front page: a role-aware dashboard."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from outreach.access import home_page
from outreach.cache import cached_page
from outreach.home import services
from outreach.reports import presenter

bp = Blueprint("home", __name__)


@bp.route("/")
@cached_page()
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    page = home_page(current_user)
    return render_template(f"home/{page}.html", **services.dashboard(current_user),
                           **presenter.protection_texts(current_user))
