"""A quarter's 红旗 and 蜗牛 lists as the office drafts, reviews and publishes them."""

from functools import partial

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.core.db import db
from tracker.core.periods import just_ended
from tracker.honours.drafting import draft_honours, publish_honours
from tracker.honours.forms import HonoursDraftForm
from tracker.honours.models import HONOUR_STATES, HonourEntry, HonourList
from tracker.honours.rules import KINDS, RULES
from tracker.notices.drafting import NoticeError, delete_draft
from tracker.notices.forms import RemovalForm
from tracker.web.access import can, require, visible_honour_lists
from tracker.web.audit import audit
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, today
from tracker.web.review import refused, review_entry

bp = Blueprint("honours", __name__, url_prefix="/honours")


@bp.get("/")
@require("see_honours")
def index():
    """Every quarter's lists the user may see, newest first; the office drafts the next one here."""
    query = visible_honour_lists(current_user, HonourList.select().order_by(HonourList.quarter.desc()))
    form = HonoursDraftForm(data={"quarter": just_ended("quarterly", today())})
    return render_template("honours/index.html", page=Page(query), form=form, HONOUR_STATES=HONOUR_STATES)


@bp.post("/")
@require("draft_honours")
def new():
    form = HonoursDraftForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("honours.index"))
    try:
        honour_list = draft_honours(form.quarter.data, current_app.config["TRACKER"], current_user.id)
    except NoticeError as e:
        flash(str(e), "error")
        return redirect(url_for("honours.index"))
    flash(f"已起草 {honour_list.quarter} 红旗蜗牛名单，请逐项审核", "success")
    return redirect(url_for("honours.show", quarter=honour_list.quarter))


def _list(quarter):
    honour_list = HonourList.get_or_none(HonourList.quarter == quarter)
    if honour_list is None or not can(current_user, "see", honour_list):
        abort(404)
    return honour_list


@bp.get("/<quarter>")
@require("see_honours")
def show(quarter):
    return _page(_list(quarter))


def _page(honour_list, removal_form=None, failed_entry=None, status=200):
    context = {
        "honour_list": honour_list,
        "listed": honour_list.listed_by_kind(),
        "removed": list(honour_list.removed()) if can(current_user, "review_honours") else [],
        "removal_form": removal_form or RemovalForm(),
        "failed_entry": failed_entry,
        "KINDS": KINDS,
        "RULES": RULES,
        "HONOUR_STATES": HONOUR_STATES,
    }
    return render_template("honours/show.html", **context), status


@bp.post("/<quarter>/entries/<int:entry_id>/<any(remove, restore):action>")
@require("draft_honours")
def entry(quarter, entry_id, action):
    """Take an entry off the draft, with a written reason, or put it back."""
    honour_list = _list(quarter)
    item = HonourEntry.get_or_none((HonourEntry.id == entry_id) & (HonourEntry.honour_list == honour_list))
    if item is None:
        abort(404)
    form = RemovalForm() if action == "remove" else ConfirmForm()
    done = url_for("honours.show", quarter=quarter, _anchor=item.kind)
    return review_entry(item, action, form, partial(_page, honour_list), done, ("honour_entry", {"quarter": quarter}))


@bp.post("/<quarter>/<any(publish, delete):action>")
@require("draft_honours")
def finish(quarter, action):
    """Publish the draft (dated today, frozen, public) or discard it."""
    honour_list = _list(quarter)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "delete":
            delete_draft(honour_list)
            flash("已删除草稿", "success")
            return redirect(url_for("honours.index"))
        with db.atomic():
            publish_honours(honour_list, current_user.id, today())
            audit("honours_published", quarter=quarter)
    except NoticeError as e:
        return refused(lambda **context: _page(honour_list, **context), e)
    flash(
        f"已发布 {quarter} 红旗蜗牛名单，公开页面：{url_for('public.honours', quarter=quarter, _external=True)}",
        "success",
    )
    return redirect(url_for("honours.show", quarter=quarter))
