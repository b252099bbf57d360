"""Logging in and out, changing one's own password; flask-login loads the account of a session."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from tracker.accounts import backoff, sessions
from tracker.accounts.credentials import check_password, hash_password, password_problem
from tracker.accounts.forms import LoginForm, OwnPasswordForm
from tracker.accounts.models import User
from tracker.core.db import Prepared, db
from tracker.web.audit import audit
from tracker.web.extensions import limiter, login_manager
from tracker.web.forms import ConfirmForm

bp = Blueprint("auth", __name__)


login_manager.login_view = "auth.login"


login_manager.login_message = "请先登录"


login_manager.login_message_category = "warning"


# Where a role lands after logging in: an owner comes to file this week's reports, a county office to review
# them, everyone else to the figures.
LANDING = {"owner": "reports.mine", "county": "review.index"}


# A browser that has signed in to an account keeps this signed cookie; during the account's
# back-off its password is still checked, so that guessing elsewhere does not lock its owner out.
DEVICE_COOKIE = "tracker_device"


DEVICE_DAYS = 90


# The session's account, read on every page.
ACTIVE_USER = Prepared(lambda user_id: User.select().where((User.id == user_id) & (User.active == True)).limit(1))  # noqa: E712


@login_manager.user_loader
def load_user(user_id):
    """The account of the session, if the session has not ended (see ``accounts.sessions``)."""
    user = ACTIVE_USER.first(int(user_id))
    web = current_app.config["TRACKER"]["web"]
    if user is None or not sessions.is_current(session, user, web["session_idle_minutes"], web["session_max_hours"]):
        session.clear()
        return None
    return user


def _login_limit():
    return current_app.config["TRACKER"]["web"]["login_rate_limit"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    username = form.username.data.strip()
    user = User.get_or_none(User.username == username)
    known_device = user is not None and _device_user_id() == user.id
    wait = backoff.wait_for(user) if user else None
    if wait and not known_device:
        audit("login_failed", username=username, reason="backoff", backoff=True)
        flash(backoff.wait_message(wait), "error")
        return render_template("accounts/login.html", form=form), 429
    if not check_password(user, form.password.data):
        _count_failure(user, username)
        flash("用户名或密码错误", "error")
        response = current_app.make_response((render_template("accounts/login.html", form=form), 401))
        if known_device and wait:
            response.delete_cookie(DEVICE_COOKIE)
        return response
    with db.atomic():
        backoff.record_success(user)
        audit("login", user=user)
    _begin_session(user)
    response = redirect(safe_next(request.args.get("next", "")) or url_for(LANDING.get(user.role, "dashboard.index")))
    _remember_device(response, user)
    return response


def _count_failure(user, username):
    """A wrong password (or an unknown name): counted toward the account's back-off, and audited with the name tried."""
    with db.atomic():
        if user:
            backoff.record_failure(user)
        blocked = user is not None and backoff.wait_for(User.get_by_id(user.id)) is not None
        audit("login_failed", username=username, reason="password", backoff=blocked)


def safe_next(target):
    """``target`` if it is a path on this site, else None: anything else would be an open redirect.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so
    ``/\\tevil.example`` or ``/\\\\evil.example`` lead off-site: such targets are refused whole.
    """
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _begin_session(user):
    """A fresh session for ``user``: nothing of the anonymous one is kept, the CSRF token included."""
    session.clear()
    g.pop("csrf_token", None)
    login_user(user)
    sessions.begin(session, user)


def _device_serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="known-device")


def _device_user_id():
    try:
        return _device_serializer().loads(request.cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return None


def _remember_device(response, user):
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(user.id),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )


@bp.post("/logout")
@login_required
def logout():
    if ConfirmForm().validate_on_submit():
        with db.atomic():
            User.end_sessions(current_user.id)
            audit("logout")
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """修改密码: the old password once, the new one twice; other sessions of the account end."""
    form = OwnPasswordForm()
    if form.validate_on_submit():
        user = User.get_by_id(current_user.id)
        problem = password_problem(form.password.data, user)
        if not check_password(user, form.old_password.data):
            form.old_password.errors.append("原密码不正确")
        elif problem:
            form.password.errors.append(problem)
        else:
            with db.atomic():
                User.update(password_hash=hash_password(form.password.data)).where(User.id == user.id).execute()
                User.end_sessions(user.id)
                audit("password_changed")
            sessions.begin(session, User.get_by_id(user.id))  # this session goes on; the others end
            flash("密码已修改，其他设备上的登录已失效", "success")
            return redirect(url_for("dashboard.index"))
    return render_template("accounts/change_password.html", form=form), 422 if form.errors else 200
