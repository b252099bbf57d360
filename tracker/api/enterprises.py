"""The API's enterprises above designated size (企业复工复产): the list with the page's filters and counts,
one enterprise with its status history and factor problems, and recording a status change."""

from flask import g
from flask_smorest import abort
from marshmallow import fields

from tracker.api.base import bp, errors, page_of, page_schema, reachable
from tracker.api.schedule import rate_field
from tracker.api.schemas import MAX_NAME, PagingSchema, Schema, ZuluDateTime, choice, date, text
from tracker.enterprises.models import FACTORS, LATEST, RESUMPTION_STATES, Enterprise, EnterpriseProblem
from tracker.enterprises.resumption import ResumptionError, enterprise_list, record_status, resumption_rate
from tracker.web.access import can, enterprise_scope, refuse
from tracker.web.listing import today

SEEING = "只能查看本部门主管或本县区的企业"
REFUSALS = {
    "see": SEEING,
    "see_enterprises": SEEING,
    "update_resumption": "只有行业主管部门、县区办公室和领导小组办公室可以更新复工复产状态",
}


class EnterpriseQuerySchema(PagingSchema):
    county = text("县区", MAX_NAME)
    status = choice("复工复产状态", RESUMPTION_STATES)
    department = text("行业主管部门", MAX_NAME)
    factor = choice("有未解决问题的生产要素", FACTORS)
    q = text("企业名称或统一社会信用代码", MAX_NAME)


class EnterpriseSchema(Schema):
    id = fields.Integer()
    name = fields.String(metadata={"description": "企业名称"})
    credit_code = fields.String(allow_none=True, metadata={"description": "统一社会信用代码"})
    county = fields.String()
    industry_chain = fields.String(metadata={"description": "行业/产业链"})
    department = fields.String(metadata={"description": "行业主管部门"})
    contact = fields.String()
    phone = fields.String()
    listed_on = fields.Date(metadata={"description": "列入名单的日期：此后计入复工复产率"})
    status = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in RESUMPTION_STATES.items())})
    on = fields.Date(allow_none=True, metadata={"description": "当前状态的日期"})


class StatusChangeSchema(Schema):
    status = fields.String()
    on = fields.Date()
    note = fields.String()
    at = ZuluDateTime()


class FactorProblemSchema(Schema):
    id = fields.Integer(metadata={"description": "问题台账中的问题 id"})
    factor = fields.String(metadata={"description": "、".join(f"{k}（{v}）" for k, v in FACTORS.items())})
    description = fields.String()
    department = fields.String()
    deadline = fields.Date()
    status = fields.String()


class EnterpriseDetailSchema(EnterpriseSchema):
    changes = fields.List(
        fields.Nested(StatusChangeSchema), attribute="history", metadata={"description": "状态记录，最新的在前"}
    )
    problems = fields.List(
        fields.Nested(FactorProblemSchema), attribute="factor_problems", metadata={"description": "生产要素问题"}
    )


class FactorCountSchema(Schema):
    factor = fields.String()
    problems = fields.Integer()
    unresolved = fields.Integer()


EnterprisePageSchema = page_schema(
    EnterpriseSchema,
    resumption_rate=rate_field("复工复产率：已复工复产企业 / 规上工业企业（本人可见范围，今天）"),
    factor_counts=fields.List(fields.Nested(FactorCountSchema), metadata={"description": "生产要素问题数"}),
)


class StatusInSchema(Schema):
    status = choice("复工复产状态", RESUMPTION_STATES, required=True)
    on = date("日期（不晚于今天）", required=True)
    note = text("说明")


def _enterprise(enterprise_id, action="see_enterprises"):
    """The enterprise, with its status today, if the API user may take ``action`` on it: else 404 or 403."""
    day = today()
    visible = Enterprise.with_status(day).where(enterprise_scope(g.api_user))
    enterprise = visible.where(Enterprise.id == enterprise_id).first()
    exists = Enterprise.get_or_none(Enterprise.id == enterprise_id) is not None
    return reachable(enterprise, exists, action, REFUSALS, "企业不存在")


def _detail(enterprise):
    """The enterprise with its status history and factor problems, as EnterpriseDetailSchema shows them."""
    enterprise.history = list(enterprise.changes.order_by(*LATEST))
    enterprise.factor_problems = list(EnterpriseProblem.of(enterprise))
    return enterprise


@bp.get("/enterprises")
@bp.arguments(EnterpriseQuerySchema, location="query", error_status_code=400)
@bp.response(200, EnterprisePageSchema)
@errors(400, 403)
def list_enterprises(args):
    """规上工业企业：按县区、状态、行业主管部门、有未解决问题的生产要素筛选，分页；附复工复产率和各要素问题数。

    行业主管部门只看到本部门主管的企业，县区办公室只看到本县区的，项目责任人无权查看。
    """
    if not can(g.api_user, "see_enterprises"):
        refuse("see_enterprises", REFUSALS["see_enterprises"])
    scope = enterprise_scope(g.api_user)
    paging = {key: args.pop(key) for key in ("page", "per_page")}
    day = today()
    page = page_of(enterprise_list(Enterprise.with_status(day).where(scope), args, day), paging)
    counts = EnterpriseProblem.factor_counts(scope)
    return {
        **page,
        "resumption_rate": resumption_rate(scope, day),
        "factor_counts": [
            {"factor": f, "problems": counts.get(f, (0, 0))[0], "unresolved": counts.get(f, (0, 0))[1]} for f in FACTORS
        ],
    }


@bp.get("/enterprises/<int:enterprise_id>")
@bp.response(200, EnterpriseDetailSchema)
@errors(403, 404)
def show_enterprise(enterprise_id):
    """一家企业：基本信息、当前状态、状态记录和生产要素问题"""
    return _detail(_enterprise(enterprise_id))


@bp.post("/enterprises/<int:enterprise_id>/status")
@bp.arguments(StatusInSchema)
@bp.response(201, EnterpriseDetailSchema)
@errors(400, 403, 404, 422)
def change_enterprise_status(values, enterprise_id):
    """记录企业自某日起的复工复产状态（行业主管部门、县区办公室、领导小组办公室），日期不晚于今天"""
    enterprise = _enterprise(enterprise_id, "update_resumption")
    try:
        record_status(enterprise, values["status"], values["on"], g.api_user, values.get("note", ""), today())
    except ResumptionError as e:
        abort(422, message=str(e), field="on")
    return _detail(_enterprise(enterprise_id))
