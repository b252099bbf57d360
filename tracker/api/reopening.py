"""The API's reopening of a locked weekly report (领导小组办公室): its owner may correct it after the cut-off,
until the office locks it again. The same change record and audit entry as the project page's buttons."""

from flask import g
from flask_smorest import abort

from tracker.api.base import bp, errors
from tracker.api.projects import with_project
from tracker.api.schemas import WEEK, ReportSchema
from tracker.core.db import db
from tracker.projects.models import ProgressReport
from tracker.reports.filing import set_reopened
from tracker.web.audit import audit

ACTIONS = {"reopen": ("report_reopened", True), "lock": ("report_locked", False)}


def _set(project, week, action):
    report = ProgressReport.get_or_none(project=project, week=week) if WEEK.fullmatch(week) else None
    if report is None:
        abort(404, message=f"{project.name} 没有 {week} 的周报")
    event, reopened = ACTIONS[action]
    with db.atomic():
        set_reopened(report, reopened, g.api_user)
        audit(event, project=project.code, week=week)
    return report


@bp.post("/projects/<code>/reports/<week>/reopen")
@with_project("reopen_reports")
@bp.response(200, ReportSchema)
@errors(403, 404)
def reopen_report(project, week):
    """重新开放一周的周报（领导小组办公室）：截止后责任人仍可修改，直到再次锁定"""
    return _set(project, week, "reopen")


@bp.post("/projects/<code>/reports/<week>/lock")
@with_project("reopen_reports")
@bp.response(200, ReportSchema)
@errors(403, 404)
def lock_report(project, week):
    """重新锁定重新开放过的周报（领导小组办公室）"""
    return _set(project, week, "lock")
