"""The project list (项目清单) and each project's page."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from .consultations import Decision
from .filters import filter_choices
from .listing import Page, request_filters
from .models import LeadOfficial, Project

bp = Blueprint("projects", __name__, url_prefix="/projects")


def visible_project(code):
    """The project ``code`` if the current user may see it: 404 if none, 403 if not theirs."""
    project = Project.get_or_none(Project.code == code)
    if project is None:
        abort(404)
    if current_user.role == "owner" and project.owner_id != current_user.id:
        abort(403)
    return project


@bp.get("/")
@login_required
def index():
    args, condition, week = request_filters()
    query = Project.select(Project, LeadOfficial).join(LeadOfficial).where(condition).order_by(Project.code)
    return render_template("projects/index.html", page=Page(query), args=args, choices=filter_choices(), week=week)


@bp.get("/<code>")
@login_required
def show(code):
    project = visible_project(code)
    return render_template("projects/show.html", project=project, decisions=Decision.for_project(project))
