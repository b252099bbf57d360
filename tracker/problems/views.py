"""The problem ledger (问题台账) in the UI: the list with its overdue counts, one problem's
events, and the replies, closing and re-dating that move a problem on.

Who sees and answers what is decided in tracker.web.access."""

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from peewee import fn

from tracker.problems.forms import ProblemDeadlineForm, ProblemForm, ProblemReplyForm
from tracker.problems.ledger import (
    FILTERS,
    ProblemError,
    change_problem,
    events_of,
    ledger,
    overdue_counts,
    raise_problem,
)
from tracker.problems.models import EVENT_KINDS, PROBLEM_COUNTY, PROBLEM_SOURCES, PROBLEM_STATES, Problem
from tracker.projects.models import ListEntry, Project
from tracker.web.access import can, refuse, require, visible_problems
from tracker.web.caching import cached
from tracker.web.listing import Page, text_args, today

bp = Blueprint("problems", __name__, url_prefix="/problems")


# The source a problem raised by hand is recorded under, by who raised it.
RAISED_AS = {"office": "office", "inspector": "inspection"}


def _problem(problem_id, action="see"):
    """The problem if the current user may take ``action`` on it: else 404 or 403."""
    problem = Problem.get_or_none(Problem.id == problem_id) or abort(404)
    seen = visible_problems(current_user).where(Problem.id == problem.id).exists()
    if not seen or not can(current_user, action, problem):
        refuse(action)
    return problem


@bp.app_context_processor
def ledger_helpers():
    """For the project page: the problems of a project the current user may see."""

    def problems_of(project):
        query = visible_problems(current_user).where(Problem.project == project.id)
        return list(query.order_by(Problem.raised_at.desc(), Problem.id.desc()))

    return {"problems_of": problems_of, "PROBLEM_STATES": PROBLEM_STATES}


@bp.get("/")
@login_required
def index():
    """The ledger, filtered and paged, with the overdue counts by department and county above it."""
    args = text_args(*FILTERS)
    if args.get("status") and args["status"] not in PROBLEM_STATES:
        abort(400, description=f"未知的问题状态 {args['status']}")
    visible = visible_problems(current_user)

    def shown_ledger():
        return {
            "page": Page(ledger(visible, args, today())),
            "by_department": overdue_counts(visible, Problem.department, today()),
            "by_county": overdue_counts(visible, PROBLEM_COUNTY, today()),
            "departments": _choices("department", visible, Problem.department),
            "counties": _choices("county", visible, PROBLEM_COUNTY),
        }

    shown = cached(current_user, "problems", shown_ledger, tuple(sorted(args.items())), request.args.get("page", ""))
    return render_template("problems/index.html", **shown, args=args, today=today())


def _choices(kind, query, column):
    """A filter's choices: the managed list ``kind``, and the values of ``column`` in ``query`` it lacks."""
    return ListEntry.names(kind, keep=[value for (value,) in query.select(fn.DISTINCT(column)).tuples()])


@bp.get("/<int:problem_id>")
@login_required
def show(problem_id):
    return _show(_problem(problem_id))


def _show(problem, reply_form=None, deadline_form=None, status=200):
    """The problem with its dated events, and the forms the current user may use on it."""
    page = render_template(
        "problems/show.html",
        problem=problem,
        events=list(events_of(problem)),
        today=today(),
        may_reply=can(current_user, "answer_problem", problem) and problem.status != "closed",
        reply_form=reply_form or ProblemReplyForm(formdata=None),
        deadline_form=deadline_form or ProblemDeadlineForm(formdata=None, data={"deadline": problem.deadline}),
        EVENT_KINDS=EVENT_KINDS,
        PROBLEM_SOURCES=PROBLEM_SOURCES,
    )
    return page, status


@bp.post("/<int:problem_id>/reply")
@login_required
def reply(problem_id):
    problem = _problem(problem_id, "answer_problem")
    form = ProblemReplyForm()
    if not form.validate_on_submit():
        return _show(problem, reply_form=form, status=422)
    return _change(problem, "reply", form.text.data.strip(), "已记录答复", status=form.status.data or None)


@bp.post("/<int:problem_id>/close")
@require("manage_problems")
def close(problem_id):
    problem = _problem(problem_id)
    return _change(problem, "status", "销号", "问题已销号", status="closed")


@bp.post("/<int:problem_id>/deadline")
@require("manage_problems")
def deadline(problem_id):
    problem = _problem(problem_id)
    form = ProblemDeadlineForm()
    if not form.validate_on_submit():
        return _show(problem, deadline_form=form, status=422)
    text = form.reason.data.strip()
    return _change(problem, "deadline", text, f"解决时限已调整为 {form.deadline.data}", deadline=form.deadline.data)


def _change(problem, kind, text, done, **changes):
    """Apply one change; a change the ledger refuses is a message and changes nothing."""
    try:
        change_problem(problem, current_user._get_current_object(), kind, text, **changes)
    except ProblemError as e:
        flash(str(e), "error")
    else:
        flash(done, "success")
    return redirect(url_for("problems.show", problem_id=problem.id))


@bp.route("/new", methods=["GET", "POST"])
@require("raise_problems")
def new():
    """Raise a problem on a project by hand (the office, or the inspector after an inspection)."""
    project = Project.active().where(Project.code == request.args.get("project", "")).first() or abort(404)
    default_days = current_app.config["TRACKER"]["problems"]["default_days"]
    form = ProblemForm(data={"department": project.lead_department, "deadline": today() + dt.timedelta(default_days)})
    if form.validate_on_submit():
        try:
            problem = raise_problem(
                project,
                form.description.data,
                form.department.data.strip(),
                form.deadline.data,
                current_user._get_current_object(),
                source=RAISED_AS[current_user.role],
            )
        except ProblemError as e:
            form.description.errors.append(str(e))
        else:
            flash("问题已登记到问题台账", "success")
            return redirect(url_for("problems.show", problem_id=problem.id))
    return render_template("problems/new.html", form=form, project=project), 422 if form.errors else 200
