"""The lagging list with its ranking, and notices of public criticism as the office drafts and publishes them."""

import datetime as dt
import io

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from peewee import JOIN, fn

from .auth import require_role
from .forms import ConfirmForm, NoticeDraftForm, NoticeEditForm, RemovalForm
from .lagging import DAY_RANGE_MESSAGE, FIRST_DAY, LAST_DAY, RANKED_BY, RULES, lagging_list, ranking
from .listing import Page, today
from .notices import (
    NOTICE_STATES,
    CriticismNotice,
    NoticeEntry,
    NoticeError,
    NoticePublished,
    delete_draft,
    draft_notice,
    edit_notice,
    notice_document,
    publish_notice,
    remove_entry,
    restore_entry,
)

bp = Blueprint("criticism", __name__)

READERS = ("office", "leader", "inspector", "department")
# Who reviews drafts: the office writes them, the inspector sees every removal and its reason.
REVIEWERS = ("office", "inspector")
DOCUMENTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def requested_day():
    """The ``date`` of the query string (default today); a malformed one is a 400 naming the format."""
    text = request.args.get("date", "")
    if not text:
        return today()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        abort(400, description="日期格式应为 2026-11-23")
    if not FIRST_DAY <= day <= LAST_DAY:
        abort(400, description=DAY_RANGE_MESSAGE)
    return day


@bp.get("/lagging/")
@require_role(*READERS)
def lagging():
    """The lagging list of a day with each project's reasons, and the ranking by department and county."""
    day = requested_day()
    result = lagging_list(day, current_app.config["TRACKER"]["lagging"])
    rule = request.args.get("rule", "")
    shown = [p for p in result.projects if not rule or any(r.rule == rule for r in p.reasons)]
    return render_template(
        "criticism/lagging.html",
        result=result,
        shown=shown,
        rule=rule,
        counts=result.counts(),
        ranking=ranking(result, current_app.config["TRACKER"]["lagging"]["overdue_days"]),
        RULES=RULES,
        RANKED_BY=RANKED_BY,
        draft_form=NoticeDraftForm(day=day),
    )


@bp.get("/notices/")
@require_role(*READERS)
def notices():
    """Published notices for every reader; drafts too for the office and the inspector."""
    listed = (NoticeEntry.notice == CriticismNotice.id) & (NoticeEntry.removed == False)  # noqa: E712
    query = (
        CriticismNotice.select(CriticismNotice, fn.COUNT(NoticeEntry.id).alias("entry_count"))
        .join(NoticeEntry, JOIN.LEFT_OUTER, on=listed)
        .group_by(CriticismNotice)
        .order_by(CriticismNotice.created_at.desc(), CriticismNotice.id.desc())
    )
    if current_user.role not in REVIEWERS:
        query = query.where(CriticismNotice.state == "published")
    return render_template("criticism/notices.html", page=Page(query), NOTICE_STATES=NOTICE_STATES)


@bp.post("/notices/")
@require_role("office")
def new_notice():
    form = NoticeDraftForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("criticism.lagging"))
    try:
        notice = draft_notice(form.day.data, current_app.config["TRACKER"], current_user.id, form.title.data)
    except NoticeError as e:
        flash(str(e), "error")
        return redirect(url_for("criticism.lagging", date=form.day.data.isoformat()))
    flash(f"已起草通报，共 {notice.entries.count()} 个项目，请逐项审核", "success")
    return redirect(url_for("criticism.notice", notice_id=notice.id))


def _notice(notice_id):
    notice = CriticismNotice.get_or_none(CriticismNotice.id == notice_id) or abort(404)
    if not notice.is_published and current_user.role not in REVIEWERS:
        abort(404)
    return notice


@bp.get("/notices/<int:notice_id>")
@require_role(*READERS)
def notice(notice_id):
    return _notice_page(_notice(notice_id))


def _notice_page(notice, edit_form=None, removal_form=None, failed_entry=None, status=200):
    context = {
        "notice": notice,
        "listed": list(notice.listed()),
        "removed": list(notice.removed()) if current_user.role in REVIEWERS else [],
        "edit_form": edit_form or NoticeEditForm(obj=notice),
        "removal_form": removal_form or RemovalForm(),
        "failed_entry": failed_entry,
        "confirm": ConfirmForm(),
        "NOTICE_STATES": NOTICE_STATES,
        "RANKED_BY": RANKED_BY,
    }
    return render_template("criticism/notice.html", **context), status


def _refused(notice, e):
    """A change a published notice refuses: say so on its page, with 409."""
    flash(str(e), "error")
    return _notice_page(notice, status=409)


@bp.post("/notices/<int:notice_id>/edit")
@require_role("office")
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
    return redirect(url_for("criticism.notice", notice_id=notice.id))


@bp.post("/notices/<int:notice_id>/entries/<int:entry_id>/<any(remove, restore):action>")
@require_role("office")
def entry(notice_id, entry_id, action):
    """Take an entry off the draft, with a written reason, or put it back."""
    notice = _notice(notice_id)
    item = NoticeEntry.get_or_none((NoticeEntry.id == entry_id) & (NoticeEntry.notice == notice)) or abort(404)
    form = RemovalForm() if action == "remove" else ConfirmForm()
    if not form.validate_on_submit():
        return _notice_page(notice, removal_form=form, failed_entry=item.id, status=422)
    try:
        if action == "remove":
            remove_entry(item, current_user.id, form.reason.data)
        else:
            restore_entry(item)
    except NoticePublished as e:
        return _refused(notice, e)
    except NoticeError as e:
        form.reason.errors.append(str(e))
        return _notice_page(notice, removal_form=form, failed_entry=item.id, status=422)
    flash(f"已{'移出' if action == 'remove' else '恢复'} {item.code} {item.name}", "success")
    return redirect(url_for("criticism.notice", notice_id=notice.id, _anchor="entries"))


@bp.post("/notices/<int:notice_id>/<any(publish, delete):action>")
@require_role("office")
def finish(notice_id, action):
    """Publish the draft (numbered, dated today, frozen) or discard it."""
    notice = _notice(notice_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "delete":
            delete_draft(notice)
            flash("已删除草稿", "success")
            return redirect(url_for("criticism.notices"))
        notice = publish_notice(notice, current_user.id, current_app.config["TRACKER"], today())
    except NoticeError as e:
        return _refused(notice, e)
    flash(
        f"已发布 {notice.number}，公开页面：{url_for('public.notice', notice_id=notice.id, _external=True)}", "success"
    )
    return redirect(url_for("criticism.notice", notice_id=notice.id))


@bp.get("/notices/<int:notice_id>.<any(xlsx, docx):kind>")
@require_role(*READERS)
def download(notice_id, kind):
    return send_notice(_notice(notice_id), kind)


def send_notice(notice, kind):
    """The notice as an .xlsx or .docx download (also used by the public pages)."""
    data = notice_document(notice, kind)
    name = f"{notice.number or '通报草稿'}.{kind}"
    return send_file(io.BytesIO(data), mimetype=DOCUMENTS[kind], as_attachment=True, download_name=name)
