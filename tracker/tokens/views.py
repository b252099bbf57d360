"""API 令牌 (/tokens/): make, list and revoke API tokens.

Everyone sees their own tokens; the office sees every account's (filtered by account) and may
revoke any, but makes tokens only for itself: a token acts as its account, so its account makes it.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from peewee import fn

from tracker.accounts.credentials import new_api_token, revoke_tokens
from tracker.accounts.models import ApiToken, User
from tracker.core.weeks import utc_now
from tracker.tokens.forms import TokenForm, validity_choices
from tracker.web.access import can, visible_tokens
from tracker.web.audit import request_actor
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, id_arg

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    """The tokens one may see, and the form that makes one; the new token is shown on the answer to it, once."""
    api = current_app.config["TRACKER"]["api"]
    form = TokenForm(days=api["token_days"])
    form.days.choices = validity_choices(api)
    if form.validate_on_submit():
        user = User.get_by_id(current_user.id)
        token, row = new_api_token(user, form.name.data, form.days.data, request_actor(user))
        return render_template("tokens/created.html", token=token, row=row, now=utc_now())
    account = id_arg("user") if can(current_user, "manage_tokens") else None
    query = visible_tokens(current_user)
    if account:
        query = query.where(ApiToken.user == account)
    status = 422 if form.errors else 200
    return render_template(
        "tokens/index.html", form=form, page=Page(query), accounts=_accounts(), account=account, now=utc_now()
    ), status


def _accounts():
    """For the office's filter: the accounts that have tokens, with how many; nobody else filters."""
    if not can(current_user, "manage_tokens"):
        return []
    return list(
        User.select(User, fn.COUNT(ApiToken.id).alias("token_count"))
        .join(ApiToken, on=ApiToken.user == User.id)
        .group_by(User)
        .order_by(User.username)
    )


@bp.post("/<int:token_id>/revoke")
@login_required
def revoke(token_id):
    """Revoke a token one may see (404 for any other); it stops working at once and stays listed as 已吊销."""
    token = visible_tokens(current_user).where(ApiToken.id == token_id).first() or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, "页面已过期，请刷新后重试")
    if revoke_tokens(ApiToken.id == token.id, request_actor(), by=current_user.id):
        flash(f"已吊销令牌“{token.name}”（{token.prefix or '—'}），使用它的程序将无法再访问", "success")
    else:
        flash(f"令牌“{token.name}”此前已被吊销", "warning")
    return redirect(url_for("tokens.index", user=id_arg("user")))
