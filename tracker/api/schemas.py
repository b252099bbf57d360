"""The shapes of the API's requests and responses (marshmallow), which also write its OpenAPI description.

Input is checked here before anything reaches the domain layer: unknown keys are
refused, numbers are bounded, text is bounded and holds nothing a database column
cannot store. Messages are Chinese, as the users read them."""

import datetime as dt
import re

from marshmallow import Schema as BaseSchema
from marshmallow import ValidationError, fields, validate

from tracker.api.schedule import (
    SCHEDULE_PROGRESS,
    ScheduleProgressSchema,
    behind_schedule_field,
    monthly_plan_field,
    monthly_plan_input,
    rate_field,
    schedule_progress_field,
)
from tracker.audit.events import EVENTS
from tracker.core.limits import MAX_CODE, MAX_EMAIL, MAX_NAME, MAX_NATIONAL_CODE, MAX_PHONE, MAX_TEXT, too_long
from tracker.core.money import CENTS_MESSAGE, in_cents
from tracker.core.partial_dates import PARTIAL_DATE_MESSAGE, is_partial_date
from tracker.core.weeks import WeekError, week_monday
from tracker.honours.rules import QUARTER_MESSAGE, QUARTER_PATTERN
from tracker.lagging.rules import DAY_RANGE_MESSAGE, FIRST_DAY, LAST_DAY
from tracker.projects.models import (
    COMPLETION_FIELDS,
    FUNDING_SOURCES,
    KINDS,
    LEVELS,
    MILESTONES,
    REVIEW_STATES,
    STAGES,
    STATUSES,
)
from tracker.projects.registry import COORDINATES, NATIONAL_CODE_MESSAGE, normalize_national_code
from tracker.reports.filing import MAX_AMOUNT

MAX_PAGE = 100_000


MAX_PER_PAGE = 200


# ASCII digits only: Python's \d would also accept other scripts' digits.
WEEK = re.compile(r"[0-9]{4}-W[0-9]{2}")


class Schema(BaseSchema):
    """Chinese messages for errors about an object as a whole."""

    error_messages = {"unknown": "不支持的字段", "type": "应为 JSON 对象"}


def plain_text(value):
    """Refuse what no database column can store: NUL (PostgreSQL) and lone surrogates (not UTF-8)."""
    if "\x00" in value:
        raise ValidationError("不能包含空字符 (\\u0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValidationError("含有无效的字符") from e


def existing_week(value):
    """An ISO week label, such as 2026-W47, that names a week the calendar has."""
    if not WEEK.fullmatch(value):
        raise ValidationError("周次格式应为 2026-W47")
    try:
        week_monday(value)
    except WeekError as e:
        raise ValidationError(str(e)) from e


def text(label, max_length=MAX_TEXT, **kwargs):
    """A string field of at most ``max_length`` characters."""
    return fields.String(
        validate=[validate.Length(max=max_length, error=too_long(max_length, label)), plain_text],
        error_messages={"invalid": f"{label}应为文字", "null": f"{label}不能为 null", "required": f"请填写{label}"},
        metadata={"description": label},
        **kwargs,
    )


def choice(label, choices, **kwargs):
    """A string field that must be one of ``choices`` (a dict of code -> Chinese name)."""
    names = "、".join(f"{code}（{name}）" for code, name in choices.items())
    return fields.String(
        validate=validate.OneOf(list(choices), error=f"{label}应为以下之一：{names}"),
        error_messages={"invalid": f"{label}应为文字", "null": f"{label}不能为 null", "required": f"请填写{label}"},
        metadata={"description": f"{label}：{names}"},
        **kwargs,
    )


class Amount(fields.Decimal):
    """An amount in 万元 with at most two decimals: a JSON number both ways, never a string.

    A number read from JSON arrives as an int or a float; a float's shortest text is the
    number as written up to 15 significant digits, which every amount has.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        number = super()._deserialize(str(value), attr, data, **kwargs)
        if not in_cents(number):
            raise self.make_error("cents")
        return number


def amount(label, **kwargs):
    """An amount in 万元 from 0 to MAX_AMOUNT, with at most two decimals."""
    return Amount(
        validate=validate.Range(min=0, max=MAX_AMOUNT, error=f"{label}应为 0 到 {MAX_AMOUNT} 之间的数（万元）"),
        error_messages={
            "invalid": f"{label}应为数字（万元）",
            "special": f"{label}应为数字（万元）",
            "cents": f"{label}{CENTS_MESSAGE}",
            "null": f"{label}不能为 null",
            "required": f"请填写{label}",
        },
        metadata={"description": f"{label}（万元，最多两位小数）"},
        **kwargs,
    )


def date(label, **kwargs):
    """A date written as YYYY-MM-DD."""
    return fields.Date(
        error_messages={"invalid": f"{label}应为日期，如 2026-03-31", "required": f"请填写{label}"},
        metadata={"description": label},
        **kwargs,
    )


def nested(schema, label, **kwargs):
    """An object field described by ``schema``."""
    return fields.Nested(
        schema,
        error_messages={"type": f"{label}应为 JSON 对象", "null": f"{label}不能为 null"},
        metadata={"description": label},
        **kwargs,
    )


class FiltersSchema(Schema):
    """The filters of the dashboard, by a project's own attributes."""

    category = text("项目分类（含其下各级分类，如 基础设施 含 基础设施 / 交通 / 铁路）", MAX_NAME)
    lead_official = text("市级包抓领导", MAX_NAME)
    lead_department = text("包抓部门", MAX_NAME)
    county = text("县区", MAX_NAME)
    industry_chain = text("产业链", MAX_NAME)
    status = choice("项目状态", STATUSES)
    stage = choice("建设阶段", STAGES)
    level = choice("项目级别", LEVELS)
    incomplete = fields.Boolean(
        error_messages={"invalid": "incomplete 应为 true 或 false"},
        metadata={"description": "true：只看待完善的项目（缺少包抓领导、开工时限等）"},
    )
    behind_schedule = behind_schedule_field()


class PagingSchema(Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE, error=f"页码应为 1 到 {MAX_PAGE} 之间的整数"),
        error_messages={"invalid": "页码应为整数"},
        metadata={"description": "页码，从 1 开始"},
    )
    per_page = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=MAX_PER_PAGE, error=f"每页条数应为 1 到 {MAX_PER_PAGE} 之间的整数"),
        error_messages={"invalid": "每页条数应为整数"},
        metadata={"description": f"每页条数，默认 50，最多 {MAX_PER_PAGE}"},
    )


class ProjectQuerySchema(FiltersSchema, PagingSchema):
    """The project list's query string: a search, filters and a page."""

    q = text("搜索：项目名称包含该文字，或项目编号、项目代码以其开头（不分大小写）", MAX_NAME)


FundsSchema = Schema.from_dict(
    {source: amount(label) for source, label in FUNDING_SOURCES.items()},
    name="FundsSchema",
)


MilestoneDatesSchema = Schema.from_dict(
    {kind: date(f"{label}实际完成日期", allow_none=True) for kind, label in MILESTONES.items()},
    name="MilestoneDatesSchema",
)


StatusCountsSchema = Schema.from_dict(
    {status: fields.Integer(metadata={"description": label}) for status, label in STATUSES.items()},
    name="StatusCountsSchema",
)


class FundsBySource(fields.Nested):
    """Dumps rows of (source, amount) as {source: amount}, every source present."""

    def __init__(self, **kwargs):
        super().__init__(FundsSchema, **kwargs)

    def _serialize(self, rows, attr, obj, **kwargs):
        amounts = {row.source: row.amount for row in rows}
        return {source: amounts.get(source, 0) for source in FUNDING_SOURCES}


class UtcDateTime(fields.DateTime):
    """Dumps a naive UTC timestamp, as the database stores them, with its offset (RFC 3339)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(value and value.replace(tzinfo=dt.UTC), attr, obj, **kwargs)


class InPlanOrder(fields.List):
    """Dumps milestones in plan order (前期手续 before 开工 …), whatever order the database returns."""

    def _serialize(self, milestones, attr, obj, **kwargs):
        order = list(MILESTONES)
        return super()._serialize(sorted(milestones, key=lambda m: order.index(m.kind)), attr, obj, **kwargs)


class ReportInSchema(Schema):
    """A weekly report as filed. Fields left out keep what the form would start from:
    this week's report if already filed, else last week's figures."""

    week = fields.String(
        validate=existing_week,
        error_messages={"invalid": "周次应为文字，如 2026-W47", "null": "周次不能为 null，不填则为本周"},
        metadata={"description": "ISO 周次，默认本周", "pattern": WEEK.pattern, "example": "2026-W47"},
    )
    status = choice("项目状态", STATUSES, required=True)
    investment_completed = amount("年内累计完成投资", required=True)
    funds = nested(FundsSchema, "本期到位资金（按资金来源，万元）；给出时替换本周已填的全部到位资金")
    physical_progress = text("形象进度")
    problems = text("存在问题")
    next_week_plan = text("下周计划")
    explanation = text("情况说明（数据异常时必填）")
    milestones = nested(MilestoneDatesSchema, "已完成节点的实际日期；null 清除")
    version = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=2**31 - 1, error="版本号应为非负整数"),
        error_messages={"invalid": "版本号应为整数"},
        metadata={"description": "更正时所依据的周报版本（version）；其间已被修改或审核则拒绝（409），不覆盖"},
    )


class ReviewInSchema(Schema):
    """The county office's decision on a weekly report (县区审核)."""

    decision = choice("审核结论", {"accept": "审核通过", "send_back": "退回修改"}, required=True)
    reason = text("退回理由（退回时必填）", 2_000)
    version = fields.Integer(
        strict=True,
        validate=validate.Range(min=0, max=2**31 - 1, error="版本号应为非负整数"),
        error_messages={"invalid": "版本号应为整数"},
        metadata={"description": "审核所依据的周报版本；其间责任人已修改则拒绝（409）。不填则为当前版本"},
    )


def list_day(**kwargs):
    """A day a lagging list can be asked for."""
    return fields.Date(
        validate=validate.Range(min=FIRST_DAY, max=LAST_DAY, error=DAY_RANGE_MESSAGE),
        error_messages={"invalid": "日期格式应为 2026-11-23", "required": "请填写名单日期"},
        **kwargs,
    )


class DateQuerySchema(Schema):
    date = list_day(
        metadata={"description": "名单日期，默认今天"},
    )


class NoticeDraftSchema(Schema):
    date = list_day(required=True, metadata={"description": "滞后项目名单的日期"})
    title = text("通报标题", MAX_NAME)


class NoticeEditSchema(Schema):
    title = text("通报标题", MAX_NAME, required=True)
    preamble = text("导语")


class RemovalSchema(Schema):
    reason = text("移出理由", required=True)


class RestartRateSchema(Schema):
    numerator = fields.Integer(metadata={"description": "已开复工项目数"})
    denominator = fields.Integer(metadata={"description": "重点项目数"})
    percent = fields.Float(metadata={"description": "开复工率（%），保留一位小数"})


class InclusionRateSchema(Schema):
    numerator = fields.Integer(metadata={"description": "已入库纳统的项目数"})
    denominator = fields.Integer(metadata={"description": "应入库的项目数：已开复工且总投资达到入库标准"})
    percent = fields.Float(metadata={"description": "入库率（%），保留一位小数；无应入库项目时为 0"})


class StatisticsInclusionSchema(Schema):
    included = fields.Boolean(metadata={"description": "是否已入库纳统"})
    date = fields.Date(allow_none=True, metadata={"description": "入库时间；未入库或未知为 null"})
    reason = fields.String(metadata={"description": "未入库原因"})


class StatisticsInclusionInSchema(Schema):
    included = fields.Boolean(
        required=True,
        error_messages={"invalid": "是否入库应为 true 或 false", "required": "请填写是否入库（included）"},
        metadata={"description": "是否已入库纳统"},
    )
    date = date("入库时间", allow_none=True)
    reason = text("未入库原因", 500)


class ReviewSchema(Schema):
    state = fields.String(
        metadata={"enum": list(REVIEW_STATES), "description": "submitted 待县区审核，accepted 已通过，sent_back 已退回"}
    )
    reason = fields.String(metadata={"description": "退回理由"})
    reviewed_by = fields.String(allow_none=True, metadata={"description": "审核人登录名；未经县区审核为 null"})
    reviewed_at = UtcDateTime(allow_none=True)


class MilestoneSchema(Schema):
    kind = fields.String(metadata={"enum": list(MILESTONES)})
    planned_on = fields.Date(allow_none=True)
    actual_on = fields.Date(allow_none=True)


class ProjectSchema(Schema):
    code = fields.String()
    national_code = fields.String(allow_none=True, metadata={"description": "项目代码（24 位）；未填为 null"})
    name = fields.String()
    category = fields.String(metadata={"description": "项目分类，如 基础设施 / 交通 / 铁路"})
    county = fields.String()
    industry_chain = fields.String()
    kind = fields.String()
    stage = fields.String(metadata={"enum": ["", *STAGES], "description": "建设阶段；未填为空字符串"})
    level = fields.String(metadata={"enum": ["", *LEVELS], "description": "项目级别；未填为空字符串"})
    location = fields.String(metadata={"description": "建设地点"})
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    scale_and_content = fields.String(metadata={"description": "建设规模及内容"})
    annual_target = fields.String(metadata={"description": "年度目标"})
    planned_start = fields.String(metadata={"description": "计划开工：2023、2024-10 或 2024-10-15；未填为空字符串"})
    planned_completion = fields.String(metadata={"description": "计划竣工，格式同 planned_start"})
    project_unit = fields.String()
    responsible_person = fields.String()
    lead_official = fields.Function(
        lambda project: project.lead_official.name if project.lead_official else None,
        allow_none=True,
        metadata={"description": "市级包抓领导；未确定为 null"},
    )
    lead_department = fields.String()
    total_investment = Amount()
    annual_plan_investment = Amount(allow_none=True)
    investment_completed = Amount()
    start_deadline = fields.Date(allow_none=True)
    status = fields.String(metadata={"enum": list(STATUSES)})
    started_on = fields.Date(allow_none=True)
    physical_progress = fields.String()
    last_report_week = fields.String(allow_none=True)
    missing_fields = fields.List(
        fields.String(metadata={"enum": list(COMPLETION_FIELDS)}),
        metadata={"description": '待完善：项目尚缺的字段，如 ["lead_official", "start_deadline"]'},
    )
    statistics_inclusion = fields.Nested(StatisticsInclusionSchema, metadata={"description": "入库纳统"})
    monthly_plan = monthly_plan_field()
    schedule_progress = schedule_progress_field()


class ProjectDetailSchema(ProjectSchema):
    responsible_phone = fields.String()
    funds_secured = FundsBySource(attribute="funds", metadata={"description": "累计到位资金（万元）"})
    milestones = InPlanOrder(fields.Nested(MilestoneSchema))


class ProjectPageSchema(Schema):
    items = fields.List(fields.Nested(ProjectSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class ReportSchema(Schema):
    week = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    investment_completed = Amount()
    funds = FundsBySource(metadata={"description": "本期到位资金（万元）"})
    physical_progress = fields.String()
    problems = fields.String()
    next_week_plan = fields.String()
    explanation = fields.String()
    reopened = fields.Boolean(metadata={"description": "截止后由领导小组办公室重新开放"})
    late = fields.Boolean(metadata={"description": "迟报：首次提交晚于该周的填报日"})
    review = fields.Nested(ReviewSchema, metadata={"description": "县区审核；只有 accepted 的周报计入全市数据"})
    version = fields.Integer(metadata={"description": "版本号：每次更正或审核加一"})
    submitted_by = fields.String(attribute="submitted_by.username", allow_none=True)
    submitted_at = UtcDateTime()
    updated_at = UtcDateTime()


class ReportPageSchema(Schema):
    items = fields.List(fields.Nested(ReportSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class StatsSchema(Schema):
    source = fields.String(
        metadata={
            "enum": ["live", "snapshot"],
            "description": "数据来源：live 为项目当前的实时数据，snapshot 为周调度关账时该周的快照",
        }
    )
    week = fields.String(
        metadata={"description": "报告周次（live：本周；snapshot：快照所属的周）", "example": "2026-W48"}
    )
    as_of = fields.String(metadata={"description": "数据时点的说明，页面印在数字旁", "example": "截至本周实时"})
    projects = fields.Integer(metadata={"description": "重点项目数"})
    restart_rate = fields.Nested(RestartRateSchema)
    investment_completed = Amount(metadata={"description": "年内累计完成投资（万元）"})
    annual_plan_investment = Amount(metadata={"description": "年度计划投资（万元）"})
    investment_percent = fields.Float()
    funds_secured = fields.Nested(FundsSchema, metadata={"description": "争取到位资金（万元），按资金来源"})
    funds_secured_total = Amount(metadata={"description": "争取到位资金合计（万元）"})
    by_status = fields.Nested(StatusCountsSchema)
    reports_missing = fields.Integer(metadata={"description": "本周未报周报（或周报尚未审核通过）的项目数"})
    reports_awaiting_review = fields.Integer(metadata={"description": "待县区审核的周报数（未计入上列数据）"})
    statistics_inclusion = fields.Nested(InclusionRateSchema, metadata={"description": "入库率"})
    restart_rate_planned = rate_field(
        "计划开工项目开复工率：开工时限不晚于今天的项目中已开复工的，加上提前开工的；可超过 100%"
    )
    start_rate_new = rate_field("新建项目开工率")
    restart_rate_continuing = rate_field("续建项目复工率")
    resumption_rate = rate_field("规上工业企业复工复产率：已复工复产企业 / 规上工业企业（本人可见的企业，今天）")
    schedule_progress = fields.Nested(
        ScheduleProgressSchema, allow_none=True, metadata={"description": SCHEDULE_PROGRESS}
    )


class ReasonSchema(Schema):
    rule = fields.String(metadata={"description": "触发的规则"})
    label = fields.String(metadata={"description": "规则名称"})
    category = fields.String(metadata={"description": "推进不力 / 解决问题拖延 / 进度计划滞后"})
    detail = fields.String(metadata={"description": "依据：日期与数据"})


class LaggingProjectSchema(Schema):
    code = fields.String()
    name = fields.String()
    project_unit = fields.String()
    lead_official = fields.String()
    lead_department = fields.String()
    county = fields.String()
    reasons = fields.List(fields.Nested(ReasonSchema))


class LaggingSchema(Schema):
    date = fields.Date(attribute="day")
    week = fields.String(allow_none=True, metadata={"description": "名单依据的周调度快照；尚无快照时为 null"})
    projects = fields.List(fields.Nested(LaggingProjectSchema))


class RankingRowSchema(Schema):
    name = fields.String()
    projects = fields.Integer(metadata={"description": "项目数"})
    lagging = fields.Integer(metadata={"description": "滞后项目数"})
    overdue_problems = fields.Integer(metadata={"description": "逾期问题数"})
    reports_missing = fields.Integer(metadata={"description": "缺报周报数"})
    late_reports = fields.Integer(metadata={"description": "迟报周报数（该周晚于填报日首次提交）"})


class RankingTablesSchema(Schema):
    lead_department = fields.List(fields.Nested(RankingRowSchema), metadata={"description": "按包抓部门，最差在前"})
    county = fields.List(fields.Nested(RankingRowSchema), metadata={"description": "按县区，最差在前"})


class RankingSchema(RankingTablesSchema):
    date = fields.Date()
    week = fields.String(allow_none=True)


class NoticeEntrySchema(LaggingProjectSchema):
    id = fields.Integer()
    removed = fields.Boolean()
    removal_reason = fields.String(metadata={"description": "移出理由（仅领导小组办公室和纪委监委可见）"})


class NoticeSummarySchema(Schema):
    id = fields.Integer()
    state = fields.String(metadata={"enum": ["draft", "published"]})
    number = fields.String(allow_none=True, metadata={"description": "文号，如 X重项办〔2026〕12号；草稿为 null"})
    title = fields.String()
    issuer = fields.String()
    as_of = fields.Date(metadata={"description": "名单日期"})
    week = fields.String()
    preamble = fields.String()
    published_on = fields.Date(allow_none=True)


class NoticeSchema(NoticeSummarySchema):
    entries = fields.List(fields.Nested(NoticeEntrySchema))
    ranking = fields.Nested(RankingTablesSchema, metadata={"description": "发布时的红黑榜"})


class NoticeListSchema(Schema):
    items = fields.List(fields.Nested(NoticeSummarySchema))


def local_day(label):
    """A date in the city's timezone, the whole day included."""
    return fields.Date(
        error_messages={"invalid": f"{label}格式应为 2026-11-23"},
        metadata={"description": f"{label}（本地时区，含当天）"},
    )


class AuditQuerySchema(PagingSchema):
    """The audit log's filters and page."""

    event = choice("事件", EVENTS)
    actor = text("操作人（包含该文字）", MAX_NAME)
    address = text("来源地址（以其开头，如 10.0.0.）", MAX_NAME)
    since = local_day("起始日期")
    until = local_day("截止日期")


class ZuluDateTime(fields.DateTime):
    """Dumps a naive UTC timestamp as ISO 8601 with Z: 2026-11-23T01:02:03Z."""

    def _serialize(self, value, attr, obj, **kwargs):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = ZuluDateTime(metadata={"description": "时间（UTC）"})
    at_local = fields.DateTime(metadata={"description": "时间（本市时区，带时差）"})
    actor = fields.String(metadata={"description": "操作人：账号姓名，或“命令行”“调度程序”“未登录”"})
    actor_id = fields.Integer(allow_none=True, metadata={"description": "操作人账号的 id（进程或未登录时为 null）"})
    address = fields.String(metadata={"description": "来源地址"})
    event = fields.String(metadata={"description": "事件：" + "、".join(f"{k}（{v}）" for k, v in EVENTS.items())})
    detail = fields.Dict(metadata={"description": "事件详情"})


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    chain_ok = fields.Boolean(metadata={"description": "哈希链是否完整（无记录被修改、插入或删除）"})
    broken = fields.Integer(allow_none=True, metadata={"description": "链断裂处的记录 id；完整时为 null"})


class QuarterQuerySchema(Schema):
    quarter = fields.String(
        validate=validate.Regexp(f"^{QUARTER_PATTERN}$", error=QUARTER_MESSAGE),
        metadata={"description": "季度，如 2026-Q3；默认上一个已结束的季度", "example": "2026-Q3"},
    )


class HonourProjectSchema(LaggingProjectSchema):
    score = fields.Decimal(as_string=False, metadata={"description": "按 [honours] 权重计算的得分，名次依此排列"})


class HonoursSchema(Schema):
    quarter = fields.String()
    published_at = UtcDateTime(allow_none=True, metadata={"description": "发布时间；草稿（仅审核人可见）为 null"})
    red_flag = fields.List(fields.Nested(HonourProjectSchema), metadata={"description": "红旗项目，名次在前"})
    snail = fields.List(fields.Nested(HonourProjectSchema), metadata={"description": "蜗牛项目，名次在前"})


class ScoreItemSchema(Schema):
    reason = fields.String(metadata={"description": "计分事项，如 蜗牛项目、问题逾期未解决"})
    points = fields.Decimal(as_string=False, metadata={"description": "分值，减分为负"})
    ref = fields.String(metadata={"description": "依据：项目代码、问题编号、督办文号、周次或会商决定编号"})


class ScoreUnitSchema(Schema):
    kind = fields.String(metadata={"enum": ["department", "county"]})
    name = fields.String()
    score = fields.Decimal(as_string=False, metadata={"description": "得分 = 明细分值之和"})
    breakdown = fields.List(
        fields.Nested(ScoreItemSchema),
        allow_none=True,
        metadata={"description": "计分明细；责任部门账号只能看到本部门的明细，其他单位为 null"},
    )


class ScoresSchema(Schema):
    quarter = fields.String()
    units = fields.List(
        fields.Nested(ScoreUnitSchema), metadata={"description": "部门在前、县区在后，各按得分从高到低"}
    )


class ErrorDetailSchema(Schema):
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    field = fields.String(metadata={"description": "出错的字段，如 investment_completed 或 funds.special_bonds"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


def valid_national_code(value):
    """A 项目代码 with or without its dashes, read as the registry stores it."""
    try:
        normalize_national_code(value)
    except ValueError as e:
        raise ValidationError(str(e)) from e


def partial_date(value):
    if not is_partial_date(value):
        raise ValidationError(PARTIAL_DATE_MESSAGE)


def coordinate(label, name, **kwargs):
    least, greatest = COORDINATES[name]
    message = f"{label}应为 {least} 到 {greatest} 之间的度数"
    return fields.Float(
        allow_none=True,
        validate=validate.Range(min=least, max=greatest, error=message),
        error_messages={"invalid": message},
        metadata={"description": f"{label}（度）"},
        **kwargs,
    )


class ProjectInSchema(Schema):
    """A project as the office creates or changes it. Creating needs the code, the name and the total
    investment; anything else may come later (the project is 待完善 meanwhile). A change gives only the
    fields it changes; null or "" clears an optional field."""

    code = text("项目编号", MAX_CODE)
    national_code = fields.String(
        allow_none=True,
        validate=[validate.Length(max=MAX_NATIONAL_CODE, error=NATIONAL_CODE_MESSAGE), plain_text, valid_national_code],
        metadata={"description": "项目代码：24 位，或不带短横的 20 位数字"},
    )
    name = text("项目名称", MAX_NAME)
    category = text("项目分类", MAX_NAME)
    county = text("县区", MAX_NAME)
    industry_chain = text("产业链", MAX_NAME)
    kind = choice("建设性质", KINDS)
    stage = fields.String(validate=validate.OneOf(["", *STAGES], error="建设阶段应为 " + "、".join(STAGES)))
    level = fields.String(validate=validate.OneOf(["", *LEVELS], error="项目级别应为 " + "、".join(LEVELS)))
    location = text("建设地点", MAX_NAME)
    latitude = coordinate("纬度", "latitude")
    longitude = coordinate("经度", "longitude")
    scale_and_content = text("建设规模及内容")
    annual_target = text("年度目标")
    planned_start = fields.String(
        validate=partial_date, metadata={"description": "计划开工：2023、2024-10 或 2024-10-15"}
    )
    planned_completion = fields.String(
        validate=partial_date, metadata={"description": "计划竣工，格式同 planned_start"}
    )
    project_unit = text("项目单位", MAX_NAME)
    responsible_person = text("责任人", MAX_NAME)
    responsible_phone = text("联系电话", MAX_PHONE)
    responsible_email = text("电子邮箱", MAX_EMAIL)
    lead_official = text("市级包抓领导", MAX_NAME, allow_none=True)
    lead_department = text("包抓部门", MAX_NAME)
    total_investment = amount("总投资")
    annual_plan_investment = amount("年度计划投资", allow_none=True)
    start_deadline = date("开工时限", allow_none=True)
    monthly_plan = monthly_plan_input()
    statistics_inclusion = nested(
        StatisticsInclusionInSchema,
        "入库纳统：included 是否入库、date 入库时间（仅已入库）、reason 未入库原因（仅未入库）",
    )
