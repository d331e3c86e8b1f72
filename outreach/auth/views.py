"""Signing in and out, the user's own settings and API tokens, accepting an invitation, resetting a password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from outreach.access import SIGNED_IN, receives_reminders, requires
from outreach.auth import resets, services, throttle
from outreach.auth.forms import (EmptyForm, ForgotPasswordForm, LanguageForm, LoginForm, PasswordChangeForm,
                                 RemindersForm, SetPasswordForm)
from outreach.auth.passwords import verify_password
from outreach.errors import OutreachError
from outreach.extensions import db, limiter
from outreach.i18n import LANGUAGES, _, current_language, force_locale
from outreach.web import domain_error, is_safe_next

bp = Blueprint("auth", __name__)


def _email_key() -> str:
    return throttle.email_and_address_key(request.form.get("email") or "")


def _failed(response) -> bool:
    # only failed attempts count: a successful sign-in redirects, and a 503 (the rate-limit store or the database
    # did not answer) is nobody's guess
    return response.status_code not in (302, 503)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(throttle.address_limit, methods=["POST"], key_func=throttle.address_key, deduct_when=_failed)
@limiter.limit(throttle.login_limit, methods=["POST"], key_func=_email_key, deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            next_url = request.args.get("next")
            lang = session.get("lang")
            page_language = current_language()
            session.clear()  # a fresh session at sign-in
            if lang:
                session["lang"] = lang
            login_user(user, remember=form.remember.data)
            if lang and lang != user.locale:
                # a language picked on the sign-in page is the person's choice: it becomes the account's
                services.set_locale(user, lang)
            elif not lang and user.locale in LANGUAGES and user.locale != page_language:
                _say_language_changed(user.locale, page_language)
            return redirect(next_url if is_safe_next(next_url) else url_for("home.index"))
        flash(_("The email or password is not correct."), "danger")
    return render_template("auth/login.html", form=form)


def _say_language_changed(saved: str, before: str) -> None:
    """The pages switch to the account's saved language: say so in the language the person was reading
    (the one their browser asked for), with the way back."""
    with force_locale(before):
        message = _("The pages are now in %(language)s, the language saved in your account.",
                    language=LANGUAGES[saved])
        back = _("Keep %(language)s", language=LANGUAGES[before])
    flash(Markup('<span lang="{}">{} <a class="alert-link" href="{}" hreflang="{}">{}</a></span>').format(
        before, message, url_for("home.index", lang=before), before, back), "info")


@bp.route("/logout", methods=["POST"])
@requires(SIGNED_IN)
def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        services.end_sessions(current_user._get_current_object())
        logout_user()
        lang = session.get("lang")
        session.clear()
        if lang:
            session["lang"] = lang
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@requires(SIGNED_IN)
def account():
    user = current_user._get_current_object()
    language_form = LanguageForm(prefix="lang", locale=user.locale)
    password_form = PasswordChangeForm(prefix="pw")
    reminders_form = RemindersForm(prefix="notices", reminders=user.reminders) if receives_reminders(user) else None
    if reminders_form is not None and reminders_form.submit.data and reminders_form.validate_on_submit():
        services.set_reminders(user, bool(reminders_form.reminders.data))
        flash(_("Reminders by e-mail are on.") if user.reminders else _("Reminders by e-mail are off."), "success")
        return redirect(url_for("auth.account"))
    if language_form.submit.data and language_form.validate_on_submit():
        services.set_locale(user, language_form.locale.data)
        session["lang"] = language_form.locale.data
        flash(_("Your language has been saved."), "success")
        return redirect(url_for("auth.account"))
    if password_form.submit.data and password_form.validate_on_submit():
        if not verify_password(user.password_hash, password_form.current_password.data):
            password_form.current_password.errors.append(_("The current password is not correct."))
        else:
            try:
                services.set_password(user, password_form.new_password.data)
            except OutreachError as error:
                domain_error(error, password_form, fields={"password": "new_password"})
            else:
                login_user(user)  # this device stays signed in; all others are signed out
                flash(_("Your password has been changed. Other devices have been signed out."), "success")
                return redirect(url_for("auth.account"))
    return render_template("auth/account.html", language_form=language_form, password_form=password_form,
                           reminders_form=reminders_form,
                           feed_form=EmptyForm(prefix="feed"), tokens=services.live_tokens(user),
                           everywhere_form=EmptyForm(prefix="everywhere"),
                           revoke_form=EmptyForm(prefix="token"))


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@requires(SIGNED_IN)
def sign_out_everywhere():
    form = EmptyForm(prefix="everywhere")
    if form.validate_on_submit():
        services.sign_out_everywhere(current_user._get_current_object())
        logout_user()
        _fresh_session()
        flash(_("You have been signed out on all devices. Attendance lists kept on a phone are deleted as soon as "
                "it is online again."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.account"))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@requires(SIGNED_IN)
def revoke_token(token_id: int):
    # the CSRF token is checked for every POST (CSRFProtect)
    services.revoke_own_token(current_user._get_current_object(), token_id)
    flash(_("The API token has been revoked."), "success")
    return redirect(url_for("auth.account"))


def _fresh_session() -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(throttle.reset_limit, methods=["POST"], key_func=throttle.address_key)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        # The same answer, in the same time, whether the address has an account or not: the page goes out first;
        # looking the address up, making the link and sending the e-mail happen once the response has closed.
        response = make_response(render_template("auth/forgot_sent.html"))
        app = current_app._get_current_object()
        email = form.email.data
        # the link is built on OUTREACH_BASE_URL, never on this request's Host (outreach/links.py)
        response.call_on_close(lambda: _reset_after_response(app, email))
        return response
    return render_template("auth/forgot.html", form=form), (422 if form.errors else 200)


def _reset_after_response(app, email: str) -> None:
    """Outside the request: queue the reset e-mail (if the address has an account) and commit; the outbox
    worker sends it."""
    with app.app_context():
        try:
            resets.request_reset(email)
            db.session.commit()
        except Exception:  # never let a failure here show in anyone's answer
            db.session.rollback()
            app.logger.exception("password reset request failed")
            return
        finally:
            db.session.remove()


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    reset = resets.find_reset(token)
    if reset is None:
        return render_template("auth/reset_invalid.html"), 404
    form = SetPasswordForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            resets.reset_password(token, form.new_password.data)
        except OutreachError as error:
            domain_error(error, form, fields={"password": "new_password"})
            reset = resets.find_reset(token)
        else:
            if current_user.is_authenticated:
                logout_user()
            _fresh_session()
            flash(_("Your password has been changed. Sign in with the new password."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form, email=reset.user.email), status


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = services.find_invitation(token)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.new_password.data)
        except OutreachError as error:
            domain_error(error, form, fields={"password": "new_password"})
        else:
            session.clear()
            login_user(user)
            flash(_("Welcome! Your password has been set."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/invitation.html", form=form, invited=invitation.user), (422 if form.errors else 200)
