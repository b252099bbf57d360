"""县区审核: the county office's page of the reports awaiting its review, and its decisions."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.core.weeks import shift_week
from tracker.projects.models import ProgressReport, Project
from tracker.reports.filing import current_week
from tracker.review.chain import DECISIONS, ReviewError, awaiting_review, late_counts, review_report, sent_back
from tracker.review.forms import ReviewForm
from tracker.web.access import project_scope, require, visible_project
from tracker.web.listing import Page

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.get("/")
@require("review_reports")
def index():
    """The reports of the account's counties awaiting review, those sent back, and late reports per county."""
    config = current_app.config["TRACKER"]
    scope = project_scope(current_user)
    week = current_week(config)
    weeks = (week, shift_week(week, -1))
    return render_template(
        "review/index.html",
        page=Page(awaiting_review(scope), per_page=20),
        sent_back=list(sent_back(scope).limit(50)),
        late={w: late_counts(Project.county, w, scope) for w in weeks},
        weeks=weeks,
        form=ReviewForm(),
        enabled=config["review"]["enabled"],
    )


@bp.post("/<code>/<week>")
@require("review_reports")
def decide(code, week):
    """Accept the report, or send it back with the reason; a report changed meanwhile is refused, not overwritten."""
    project = visible_project(current_user, code)
    report = ProgressReport.get_or_none(project=project, week=week)
    form = ReviewForm()
    if report is None:
        flash(f"{project.name} {week} 没有周报", "error")
    elif not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
    else:
        user = current_user._get_current_object()
        config = current_app.config["TRACKER"]
        try:
            review_report(report, form.decision.data, form.reason.data, user, config, version=form.version.data)
            flash(f"{project.name} {week} 周报：{DECISIONS[form.decision.data]}", "success")
        except ReviewError as e:
            flash(str(e), "error")
    return redirect(url_for("review.index"))
