"""The API's 分月计划 and 序时进度 of a project, and the restart rate's other three ways (the shapes; schemas.py uses them)."""

from marshmallow import Schema, fields, validate

from tracker.projects.models import MONTHLY_PLAN_COLUMNS
from tracker.projects.monthly_plan import is_entered, monthly_values, progress_of
from tracker.reports.filing import MAX_AMOUNT
from tracker.web.listing import today


class ScheduleProgressSchema(Schema):
    plan_to_date = fields.Float(metadata={"description": "截至今天应完成年度计划的百分比（序时进度，%）"})
    completed = fields.Float(metadata={"description": "年内累计完成投资占年度计划的百分比（%）"})
    difference_points = fields.Float(
        metadata={"description": "completed − plan_to_date，百分点，两位小数；正数为高于序时进度"}
    )


SCHEDULE_PROGRESS = "序时进度：按分月计划（未填则按全年平均分摊）截至今天；无年度计划投资时为 null"


def schedule_progress_field():
    """A project's 序时进度 on the city's today."""
    return fields.Function(
        lambda project: progress_of(project, today()),
        allow_none=True,
        metadata={"description": SCHEDULE_PROGRESS},
    )


def monthly_plan_field():
    """A project's monthly plan: 12 cumulative amounts, 1月 to 12月, or null when not entered."""
    return fields.Function(
        lambda project: [float(v) for v in monthly_values(project)] if is_entered(monthly_values(project)) else None,
        allow_none=True,
        metadata={"description": "分月计划：1月至12月末累计计划投资（万元），12 个数；未填为 null（按全年平均分摊）"},
    )


def monthly_plan_input():
    """The monthly plan as a create or edit gives it: 12 cumulative amounts, or null to clear it."""
    return fields.List(
        fields.Decimal(
            validate=validate.Range(min=0, max=MAX_AMOUNT, error=f"分月计划应为 0 到 {MAX_AMOUNT} 之间的数（万元）"),
            error_messages={"invalid": "分月计划应为数字（万元）", "special": "分月计划应为数字（万元）"},
        ),
        allow_none=True,
        validate=validate.Length(equal=12, error="分月计划应为 12 个数（1月至12月末累计，万元）"),
        metadata={"description": "分月计划：1月至12月末累计计划投资（万元），12 个数；null 为清空（按全年平均分摊）"},
    )


def monthly_plan_columns(plan):
    """{column: amount} of a monthly plan given to the API (None: clear the twelve)."""
    return dict(zip(MONTHLY_PLAN_COLUMNS, plan or [None] * 12, strict=True))


def behind_schedule_field():
    """The filter 落后序时进度: only the projects whose completed investment is short of their plan to date."""
    return fields.Boolean(
        error_messages={"invalid": "behind_schedule 应为 true 或 false"},
        metadata={"description": "true：只看落后序时进度的项目（年内累计完成投资少于截至今天的计划）"},
    )


class RateSchema(Schema):
    numerator = fields.Integer()
    denominator = fields.Integer()
    percent = fields.Float(
        allow_none=True, metadata={"description": "100 × numerator / denominator，一位小数；分母为 0 时为 null"}
    )


def rate_field(description):
    return fields.Nested(RateSchema, metadata={"description": description})
