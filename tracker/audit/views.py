"""The audit log's page (审计日志) for the office and the inspector: read and filter it, check its chain; never edit it."""

import datetime as dt
import zoneinfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from tracker.audit.events import DETAIL_LABELS, EVENTS
from tracker.audit.log import chain_state, check_all, search
from tracker.web.access import require
from tracker.web.audit import request_actor
from tracker.web.forms import ConfirmForm
from tracker.web.listing import Page, text_args

bp = Blueprint("audit", __name__, url_prefix="/audit")

TEXT_FILTERS = ("event", "actor", "address")
DATE_FILTERS = ("since", "until")


@bp.get("/")
@require("see_audit")
def index():
    """The entries, newest first, filtered by event, actor, address and local dates; a banner on the chain."""
    filters = _filters()
    timezone = current_app.config["TRACKER"]["city"]["timezone"]
    zone = zoneinfo.ZoneInfo(timezone)
    return render_template(
        "audit/index.html",
        page=Page(search(filters, timezone)),
        filters=filters,
        chain=chain_state(),
        local=lambda at: at.replace(tzinfo=dt.UTC).astimezone(zone),
        EVENTS=EVENTS,
        DETAIL_LABELS=DETAIL_LABELS,
    )


def _filters():
    """The filters of the query string; a date that is not one is a 400."""
    filters = text_args(*TEXT_FILTERS)
    for key in DATE_FILTERS:
        if text := request.args.get(key, "").strip():
            try:
                filters[key] = dt.date.fromisoformat(text)
            except ValueError:
                abort(400, f"日期格式应为 2026-11-23，收到 {text[:20]!r}")
    return filters


@bp.post("/verify")
@require("see_audit")
def verify():
    """全量校验: check every entry's hash now (seconds for hundreds of thousands) and record the result."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    broken = check_all(request_actor())
    if broken is None:
        flash("全量校验通过：审计日志的哈希链完整", "success")
    else:
        flash(f"全量校验未通过：第 {broken} 条记录（或其之前的记录）已被修改或删除", "error")
    return redirect(url_for("audit.index"))
