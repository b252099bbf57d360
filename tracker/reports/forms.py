"""The weekly report form, with funds secured by source."""

from flask_wtf import FlaskForm
from wtforms import (
    FormField,
    IntegerField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Optional,
)
from wtforms.widgets import HiddenInput

from tracker.core.limits import MAX_TEXT
from tracker.photos.forms import photo_field
from tracker.projects.forms import MilestoneDatesForm
from tracker.projects.models import FUNDING_SOURCES, STATUSES
from tracker.web.forms import MaxLength, amount_field


class FundsForm(FlaskForm):
    class Meta:
        csrf = False


for _source, _label in FUNDING_SOURCES.items():
    setattr(FundsForm, _source, amount_field(_label, required=False))


class ReportForm(FlaskForm):
    status = SelectField("项目状态", choices=STATUSES)
    investment_completed = amount_field("年内累计完成投资（万元）")
    funds = FormField(FundsForm, label="本期到位资金（万元）")
    physical_progress = TextAreaField("形象进度", validators=[DataRequired("请描述形象进度"), MaxLength(MAX_TEXT)])
    milestones = FormField(MilestoneDatesForm, label="已完成节点（实际日期）")
    problems = TextAreaField("存在问题", validators=[MaxLength(MAX_TEXT)])
    next_week_plan = TextAreaField("下周计划", validators=[MaxLength(MAX_TEXT)])
    explanation = TextAreaField("情况说明（数据异常时必填）", validators=[MaxLength(MAX_TEXT)])
    photos = photo_field()
    # The version of the report the form was started from: a report reviewed or corrected meanwhile is not overwritten.
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
