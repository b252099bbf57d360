"""The forms of an inspection round: the round, its groups and visits, a finding, the bulletin and the 回头看."""

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.core.limits import MAX_CODE, MAX_NAME, MAX_TEXT
from tracker.inspections.models import METHODS
from tracker.web.forms import DATE_MESSAGE, ListField, MaxLength


def _date(label, required=True):
    validators = [InputRequired(f"请填写{label}")] if required else [Optional()]
    return DateField(label, validators=validators, invalid_value_message=DATE_MESSAGE)


class RoundForm(FlaskForm):
    title = StringField("督查名称", validators=[DataRequired("请填写督查名称"), MaxLength(MAX_NAME)])
    notice_title = StringField("下发的通知（标题，不带书名号）", validators=[MaxLength(MAX_NAME)])
    starts_on = _date("开始日期")
    ends_on = _date("结束日期")


class GroupForm(FlaskForm):
    name = StringField("督查组", validators=[DataRequired("请填写督查组名称"), MaxLength(MAX_NAME)])
    leader = StringField("组长", validators=[DataRequired("请填写组长"), MaxLength(MAX_NAME)])
    members = StringField("成员（以、分隔）", validators=[MaxLength(MAX_TEXT)])


class VisitForm(FlaskForm):
    group = SelectField("督查组", coerce=int, validate_choice=False)
    unit = StringField("被督查单位", validators=[DataRequired("请填写被督查单位"), MaxLength(MAX_NAME)])
    county = ListField("县区", "county", blank="请选择县区", validators=[DataRequired("请选择县区")])
    visited_on = _date("督查日期")
    methods = SelectMultipleField(
        "督查方式",
        choices={m: m for m in METHODS},
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validators=[DataRequired("请选择督查方式")],
    )
    project = StringField("涉及的重点项目编号（可选）", validators=[MaxLength(MAX_CODE)])


class FindingForm(FlaskForm):
    visit = SelectField("被督查单位", coerce=int, validate_choice=False)
    description = TextAreaField("发现的问题", validators=[DataRequired("请填写发现的问题"), MaxLength(MAX_TEXT)])
    department = ListField("责任部门", "department", blank="请选择部门", validators=[DataRequired("请指定责任部门")])
    deadline = _date("整改期限")


class BulletinForm(FlaskForm):
    title = StringField("通报标题", validators=[DataRequired("请填写通报标题"), MaxLength(MAX_NAME)])
    preamble = TextAreaField("导语", validators=[MaxLength(MAX_TEXT)])


class RecheckForm(FlaskForm):
    rectified = RadioField(
        "回头看结果",
        choices={"yes": "已整改到位（销号）", "no": "未整改到位"},
        validators=[InputRequired("请选择回头看结果")],
    )
    note = TextAreaField("情况说明（未整改的写明原因）", validators=[MaxLength(MAX_TEXT)])
    deadline = _date("新的整改期限（未整改的）", required=False)
