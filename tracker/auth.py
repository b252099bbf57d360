"""Login, roles and API tokens."""

import datetime as dt
import functools
import hashlib
import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import limiter, login_manager
from .forms import ConfirmForm, LoginForm
from .models import ApiToken, User
from .weeks import utc_now

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录"
login_manager.login_message_category = "warning"

# scrypt (werkzeug's default): slow and memory-hard, so stolen hashes are costly to crack.
hash_password = generate_password_hash


@login_manager.user_loader
def load_user(user_id):
    return User.get_or_none((User.id == int(user_id)) & (User.active == True))  # noqa: E712


def require_role(*roles):
    """Let only logged-in users with one of ``roles`` through; others get 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _login_limit():
    return current_app.config["TRACKER"]["web"]["login_rate_limit"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=lambda response: response.status_code != 302)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = User.get_or_none(User.username == form.username.data.strip())
        if user and user.active and user.password_hash and check_password_hash(user.password_hash, form.password.data):
            login_user(user)
            target = request.args.get("next", "")
            # Only same-site paths: an absolute URL here would be an open redirect.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("dashboard.index")
            return redirect(target)
        flash("用户名或密码错误", "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    if ConfirmForm().validate_on_submit():
        logout_user()
    return redirect(url_for("auth.login"))


def new_api_token(user):
    """Create a token for ``user`` and return it; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    ApiToken.create(user=user, token_hash=_token_hash(token))
    return token


def user_for_token(token):
    """The active user a bearer token belongs to, or None."""
    row = (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where((ApiToken.token_hash == _token_hash(token)) & (User.active == True))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    # Written at most hourly: a write on every API call would queue readers behind it.
    now = utc_now()
    stale = ApiToken.last_used_at.is_null() | (ApiToken.last_used_at < now - dt.timedelta(hours=1))
    ApiToken.update(last_used_at=now).where((ApiToken.id == row.id) & stale).execute()
    return row.user


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()
