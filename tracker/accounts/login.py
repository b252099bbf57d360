"""Logging in and out; flask-login loads the account of a session."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from werkzeug.security import check_password_hash

from tracker.accounts.forms import LoginForm
from tracker.accounts.models import User
from tracker.web.extensions import limiter, login_manager
from tracker.web.forms import ConfirmForm

bp = Blueprint("auth", __name__)


login_manager.login_view = "auth.login"


login_manager.login_message = "请先登录"


login_manager.login_message_category = "warning"


# Where a role lands after logging in: an owner comes to file this week's reports, everyone else to the figures.
LANDING = {"owner": "reports.mine"}


@login_manager.user_loader
def load_user(user_id):
    return User.get_or_none((User.id == int(user_id)) & (User.active == True))  # noqa: E712


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
                target = url_for(LANDING.get(user.role, "dashboard.index"))
            return redirect(target)
        flash("用户名或密码错误", "error")
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    if ConfirmForm().validate_on_submit():
        logout_user()
    return redirect(url_for("auth.login"))
