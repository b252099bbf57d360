"""Notices of public criticism (通报批评) as the office drafts, reviews and publishes them."""

from functools import partial

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from peewee import JOIN, fn

from tracker.core.db import db
from tracker.lagging.rules import RANKED_BY
from tracker.notices.drafting import (
    NoticeError,
    delete_draft,
    draft_notice,
    edit_notice,
    notice_document,
    publish_notice,
)
from tracker.notices.forms import NoticeDraftForm, NoticeEditForm, RemovalForm
from tracker.notices.models import NOTICE_STATES, CriticismNotice, NoticeEntry
from tracker.web.access import can, require, visible_notices
from tracker.web.audit import audit
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, today
from tracker.web.responses import send_download
from tracker.web.review import refused, review_entry

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.get("/")
@require("see_lagging")
def index():
    """Published notices for every reader; drafts too for the office and the inspector."""
    listed = (NoticeEntry.notice == CriticismNotice.id) & (NoticeEntry.removed == False)  # noqa: E712
    query = (
        CriticismNotice.select(CriticismNotice, fn.COUNT(NoticeEntry.id).alias("entry_count"))
        .join(NoticeEntry, JOIN.LEFT_OUTER, on=listed)
        .group_by(CriticismNotice)
        .order_by(CriticismNotice.created_at.desc(), CriticismNotice.id.desc())
    )
    query = visible_notices(current_user, query)
    return render_template("notices/index.html", page=Page(query), NOTICE_STATES=NOTICE_STATES)


@bp.post("/")
@require("draft_notices")
def new():
    form = NoticeDraftForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("lagging.index"))
    try:
        notice = draft_notice(form.day.data, current_app.config["TRACKER"], current_user.id, form.title.data)
    except NoticeError as e:
        flash(str(e), "error")
        return redirect(url_for("lagging.index", date=form.day.data.isoformat()))
    flash(f"已起草通报，共 {notice.entries.count()} 个项目，请逐项审核", "success")
    return redirect(url_for("notices.show", notice_id=notice.id))


def _notice(notice_id):
    notice = CriticismNotice.get_or_none(CriticismNotice.id == notice_id) or abort(404)
    if not can(current_user, "see", notice):
        abort(404)
    return notice


@bp.get("/<int:notice_id>")
@require("see_lagging")
def show(notice_id):
    return _notice_page(_notice(notice_id))


def _notice_page(notice, edit_form=None, removal_form=None, failed_entry=None, status=200):
    context = {
        "notice": notice,
        "listed": list(notice.listed()),
        "removed": list(notice.removed()) if can(current_user, "review_notices") else [],
        "edit_form": edit_form or NoticeEditForm(obj=notice),
        "removal_form": removal_form or RemovalForm(),
        "failed_entry": failed_entry,
        "confirm": ConfirmForm(),
        "NOTICE_STATES": NOTICE_STATES,
        "RANKED_BY": RANKED_BY,
    }
    return render_template("notices/show.html", **context), status


def _refused(notice, e):
    """A change a published notice refuses: say so on its page, with 409."""
    return refused(lambda **context: _notice_page(notice, **context), e)


@bp.post("/<int:notice_id>/edit")
@require("draft_notices")
def edit(notice_id):
    notice = _notice(notice_id)
    form = NoticeEditForm()
    if not form.validate_on_submit():
        return _notice_page(notice, edit_form=form, status=422)
    try:
        edit_notice(notice, form.title.data, form.preamble.data)
    except NoticeError as e:
        return _refused(notice, e)
    flash("已保存标题和导语", "success")
    return redirect(url_for("notices.show", notice_id=notice.id))


@bp.post("/<int:notice_id>/entries/<int:entry_id>/<any(remove, restore):action>")
@require("draft_notices")
def entry(notice_id, entry_id, action):
    """Take an entry off the draft, with a written reason, or put it back."""
    notice = _notice(notice_id)
    item = NoticeEntry.get_or_none((NoticeEntry.id == entry_id) & (NoticeEntry.notice == notice)) or abort(404)
    form = RemovalForm() if action == "remove" else ConfirmForm()
    done = url_for("notices.show", notice_id=notice.id, _anchor="entries")
    return review_entry(
        item, action, form, partial(_notice_page, notice), done, ("notice_entry", {"notice": notice.id})
    )


@bp.post("/<int:notice_id>/<any(publish, delete):action>")
@require("draft_notices")
def finish(notice_id, action):
    """Publish the draft (numbered, dated today, frozen) or discard it."""
    notice = _notice(notice_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "delete":
            delete_draft(notice)
            flash("已删除草稿", "success")
            return redirect(url_for("notices.index"))
        with db.atomic():
            notice = publish_notice(notice, current_user.id, current_app.config["TRACKER"], today())
            audit("notice_published", notice=notice.id, number=notice.number, title=notice.title)
    except NoticeError as e:
        return _refused(notice, e)
    flash(
        f"已发布 {notice.number}，公开页面：{url_for('public.notice', notice_id=notice.id, _external=True)}", "success"
    )
    return redirect(url_for("notices.show", notice_id=notice.id))


@bp.get("/<int:notice_id>.<any(xlsx, docx):kind>")
@require("see_lagging")
def download(notice_id, kind):
    notice = _notice(notice_id)
    return send_download(
        notice_document(notice, kind, current_app.config["TRACKER"]["notices"]), f"{notice.number or '通报草稿'}.{kind}"
    )
