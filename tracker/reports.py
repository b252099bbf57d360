"""Weekly progress reports (周报): the owner's list of projects to report for."""

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from .auth import require_role
from .filing import current_week
from .models import ProgressReport, Project

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/")
@require_role("owner", "office")
def mine():
    week = current_week(current_app.config["TRACKER"])
    projects = Project.visible_to(current_user).order_by(Project.code)
    filed = {
        r.project_id
        for r in ProgressReport.select(ProgressReport.project).where(
            (ProgressReport.week == week) & ProgressReport.project.in_(projects.select(Project.id))
        )
    }
    return render_template("reports/mine.html", projects=projects, filed=filed, week=week)
