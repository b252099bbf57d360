"""The API's problem ledger (问题台账): the list with the page's filters, one problem with its events,
raising a problem, replying, closing (销号) and re-dating: the ledger's functions, the page's rules."""

from flask import g
from flask_smorest import abort
from marshmallow import fields

from tracker.api.base import bp, errors, overdue_flag, page_of, page_schema, reachable
from tracker.api.schemas import MAX_NAME, PagingSchema, Schema, ZuluDateTime, choice, date, text
from tracker.problems.ledger import (
    ProblemError,
    change_problem,
    events_of,
    ledger,
    overdue_counts,
    raise_problem,
)
from tracker.problems.models import EVENT_KINDS, PROBLEM_COUNTY, PROBLEM_SOURCES, PROBLEM_STATES, Problem
from tracker.projects.models import ListEntry
from tracker.web.access import can, refuse, visible_problems, visible_project
from tracker.web.listing import today

# The source a problem raised by hand is recorded under, by who raised it (as on the page).
RAISED_AS = {"office": "office", "inspector": "inspection"}

# The states a reply may move a problem to; closing (销号) is the office's own operation.
REPLY_STATES = {"in_progress": "解决中", "resolved": "已解决"}

REFUSALS = {
    "see": "只能查看本人项目、本县区或本部门的问题",
    "raise_problems": "只有领导小组办公室和纪委监委可以登记问题",
    "answer_problem": "只有责任部门、项目责任人和领导小组办公室可以答复问题",
    "manage_problems": "只有领导小组办公室可以销号和调整解决时限",
}


class ProblemQuerySchema(PagingSchema):
    status = choice("问题状态", PROBLEM_STATES)
    department = text("责任部门", MAX_NAME)
    county = text("县区", MAX_NAME)
    q = text("搜索：项目编号或名称包含该文字", MAX_NAME)
    overdue = overdue_flag("只看未解决且已过解决时限的问题")


class ProblemInSchema(Schema):
    project = text("项目编号", MAX_NAME, required=True)
    description = text("问题描述", required=True)
    department = text("责任部门（部门名单中的名称）", MAX_NAME, required=True)
    deadline = date("解决时限", required=True)


class ReplyInSchema(Schema):
    text = text("答复", required=True)
    status = choice("同时变更状态", REPLY_STATES)


class DeadlineInSchema(Schema):
    deadline = date("新的解决时限", required=True)
    reason = text("调整理由", required=True)


class ProjectRefSchema(Schema):
    code = fields.String()
    name = fields.String()


class ProblemEventSchema(Schema):
    at = ZuluDateTime(metadata={"description": "时间（UTC）"})
    kind = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in EVENT_KINDS.items())})
    user = fields.Function(lambda e: e.user.label if e.user else None, metadata={"description": "操作人"})
    text = fields.String()
    status = fields.String(metadata={"description": "此后的状态"})
    deadline = fields.Date(metadata={"description": "此后的解决时限"})


class ProblemSchema(Schema):
    id = fields.Integer()
    project = fields.Nested(ProjectRefSchema, allow_none=True, metadata={"description": "不属于重点项目的问题为 null"})
    subject = fields.String(metadata={"description": "问题所在的单位或企业（不属于重点项目时）"})
    county = fields.String(allow_none=True, metadata={"description": "问题所在县区"})
    source = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in PROBLEM_SOURCES.items())})
    description = fields.String()
    department = fields.String(metadata={"description": "责任部门"})
    deadline = fields.Date(metadata={"description": "解决时限"})
    status = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in PROBLEM_STATES.items())})
    raised_at = ZuluDateTime(metadata={"description": "提出时间（UTC）"})


class ProblemDetailSchema(ProblemSchema):
    events = fields.List(fields.Nested(ProblemEventSchema), metadata={"description": "提出、答复、状态变更、调整时限"})


class OverdueCountSchema(Schema):
    name = fields.String()
    overdue = fields.Integer()


ProblemPageSchema = page_schema(
    ProblemSchema,
    overdue_by_department=fields.List(
        fields.Nested(OverdueCountSchema), metadata={"description": "逾期问题数，最多在前"}
    ),
    overdue_by_county=fields.List(fields.Nested(OverdueCountSchema)),
)


def _problem(problem_id, action="see"):
    """The problem if the API user may take ``action`` on it: 404 if there is none, else 403."""
    problem = visible_problems(g.api_user).where(Problem.id == problem_id).first()
    exists = problem is not None or Problem.get_or_none(Problem.id == problem_id) is not None
    return reachable(problem, exists, action, REFUSALS, "问题不存在")


def _detail(problem):
    problem = Problem.get_by_id(problem.id)
    return {**{k: getattr(problem, k) for k in ProblemSchema._declared_fields}, "events": list(events_of(problem))}


@bp.get("/problems")
@bp.arguments(ProblemQuerySchema, location="query", error_status_code=400)
@bp.response(200, ProblemPageSchema)
@errors(400)
def list_problems(args):
    """问题台账：可按状态、责任部门、县区、项目和是否逾期筛选，未解决的在前，分页；附按部门和县区统计的逾期数。

    项目责任人和县区办公室只看到其项目的问题，责任部门只看到交给本部门的问题。
    """
    paging = {key: args.pop(key) for key in ("page", "per_page")}
    visible, day = visible_problems(g.api_user), today()
    page = page_of(ledger(visible, args, day), paging)
    return {
        **page,
        "overdue_by_department": _counts(visible, Problem.department, day),
        "overdue_by_county": _counts(visible, PROBLEM_COUNTY, day),
    }


def _counts(visible, column, day):
    return [{"name": name, "overdue": n} for name, n in overdue_counts(visible, column, day)]


@bp.get("/problems/<int:problem_id>")
@bp.response(200, ProblemDetailSchema)
@errors(403, 404)
def show_problem(problem_id):
    """一个问题：基本情况和每次提出、答复、状态变更、调整时限的记录"""
    return _detail(_problem(problem_id))


@bp.post("/problems")
@bp.arguments(ProblemInSchema)
@bp.response(201, ProblemDetailSchema)
@errors(400, 403, 404, 422)
def create_problem(values):
    """登记问题（领导小组办公室、纪委监委）：项目、问题描述、责任部门（部门名单中的）和解决时限"""
    if not can(g.api_user, "raise_problems"):
        refuse("raise_problems", REFUSALS["raise_problems"])
    project = visible_project(g.api_user, values["project"])
    if project.archived:
        abort(404, message="项目已归档")
    department = values["department"].strip()
    if department not in ListEntry.names("department"):
        abort(400, message=f"责任部门“{department}”不在部门名单中，请从名单中选择", field="department")
    try:
        problem = raise_problem(
            project,
            values["description"],
            department,
            values["deadline"],
            g.api_user,
            source=RAISED_AS[g.api_user.role],
        )
    except ProblemError as e:
        abort(422, message=str(e), field="description")
    return _detail(problem)


@bp.post("/problems/<int:problem_id>/replies")
@bp.arguments(ReplyInSchema)
@bp.response(200, ProblemDetailSchema)
@errors(400, 403, 404, 409, 422)
def reply_to_problem(values, problem_id):
    """答复问题，可同时改为解决中或已解决（责任部门、项目责任人、领导小组办公室）；已销号的问题不能再答复（409）"""
    problem = _problem(problem_id, "answer_problem")
    text_ = values["text"].strip()
    if not text_:
        abort(422, message="请填写答复内容", field="text")
    return _change(problem, "reply", text_, status=values.get("status"))


@bp.post("/problems/<int:problem_id>/closure")
@bp.response(200, ProblemDetailSchema)
@errors(403, 404, 409)
def close_problem(problem_id):
    """销号（领导小组办公室）：只有已解决的问题可以销号（否则 409）"""
    problem = _problem(problem_id, "manage_problems")
    return _change(problem, "status", "销号", status="closed")


@bp.post("/problems/<int:problem_id>/deadline")
@bp.arguments(DeadlineInSchema)
@bp.response(200, ProblemDetailSchema)
@errors(400, 403, 404, 409, 422)
def redate_problem(values, problem_id):
    """调整解决时限（领导小组办公室），须写明理由；已销号的问题不能再调整（409）"""
    problem = _problem(problem_id, "manage_problems")
    reason = values["reason"].strip()
    if not reason:
        abort(422, message="请写明调整理由", field="reason")
    return _change(problem, "deadline", reason, deadline=values["deadline"])


def _change(problem, kind, text_, **changes):
    try:
        change_problem(problem, g.api_user, kind, text_, **changes)
    except ProblemError as e:
        abort(409, message=str(e))
    return _detail(problem)
