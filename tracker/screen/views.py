"""一屏统览 (/screen) for the office, the same screen behind a display link (/screen/<token>) without a
login, and the office's page of display links (/screen/links/)."""

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user

from tracker.core.weeks import local_now
from tracker.screen.content import content_version, screen_content, trend_points
from tracker.screen.forms import DisplayLinkForm
from tracker.screen.links import display_link_for, new_display_link, revoke_display_link
from tracker.screen.models import DisplayLink
from tracker.web.access import require
from tracker.web.audit import request_actor
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, today

bp = Blueprint("screen", __name__, url_prefix="/screen")

# Seconds between a display's checks for new content.
POLL_SECONDS = 30


def _content():
    return screen_content(current_app.config["TRACKER"], today())


def _screen(state_url, display=None):
    content = _content()
    response = current_app.make_response(
        render_template(
            "screen/index.html",
            content=content,
            version=content_version(content),
            state_url=state_url,
            poll_seconds=POLL_SECONDS,
            display=display,
            trend_points=trend_points,
            updated=local_now(current_app.config["TRACKER"]["city"]["timezone"]).strftime("%H:%M"),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _state():
    response = jsonify({"version": content_version(_content())})
    response.headers["Cache-Control"] = "no-store"
    return response


def _working_link(token):
    """The display link of ``token``: a 404, as for any unknown address, when there is none or it was revoked."""
    return display_link_for(token) or abort(404)


@bp.get("")
@require("see_screen")
def index():
    return _screen(url_for("screen.state"))


@bp.get("/state")
@require("see_screen")
def state():
    """The version of the screen's content, which the page polls to know when to reload."""
    return _state()


@bp.get("/<token>")
def display(token):
    link = _working_link(token)
    return _screen(url_for("screen.display_state", token=token), display=link)


@bp.get("/<token>/state")
def display_state(token):
    _working_link(token)
    return _state()


@bp.route("/links/", methods=["GET", "POST"])
@require("manage_display_links")
def links():
    """The display links, and the form that makes one; the new link is shown once, on the answer to it."""
    form = DisplayLinkForm()
    if form.validate_on_submit():
        token, row = new_display_link(form.name.data, current_user.id, request_actor())
        address = current_app.config["TRACKER"]["web"]["base_url"].rstrip("/") + url_for("screen.display", token=token)
        return render_template("screen/created.html", row=row, address=address)
    status = 422 if form.errors else 200
    return render_template("screen/links.html", form=form, page=Page(DisplayLink.listed())), status


@bp.post("/links/<int:link_id>/revoke")
@require("manage_display_links")
def revoke(link_id):
    row = DisplayLink.get_or_none(DisplayLink.id == link_id) or abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, "页面已过期，请刷新后重试")
    if revoke_display_link(row, current_user.id, request_actor()):
        flash(f"已吊销大屏链接“{row.name}”，该显示屏将在 {POLL_SECONDS} 秒内停止显示", "success")
    else:
        flash(f"大屏链接“{row.name}”此前已被吊销", "warning")
    return redirect(url_for("screen.links"))
