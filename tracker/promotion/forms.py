"""The forms of the promotion pages: a trip, a lead, a stage move, a visit, funds in place."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from tracker.core.limits import MAX_NAME, MAX_TEXT
from tracker.promotion.models import STAGES
from tracker.web.forms import DATE_MESSAGE, ListField, MaxLength, amount_field


def _date(label):
    return DateField(label, validators=[InputRequired(f"请填写{label}")], invalid_value_message=DATE_MESSAGE)


def _department():
    return ListField("负责部门", "department", blank="请选择部门", validators=[DataRequired("请选择负责部门")])


class TripForm(FlaskForm):
    """外出招商批次."""

    trip_date = _date("出发日期")
    destination = StringField("目的地", validators=[DataRequired("请填写目的地"), MaxLength(MAX_NAME)])
    industry_chain = ListField("产业链", "industry_chain")
    department = _department()
    members = TextAreaField("参加人员及单位", validators=[MaxLength(MAX_TEXT)])
    note = TextAreaField("备注", validators=[MaxLength(MAX_TEXT)])


class LeadForm(FlaskForm):
    """招商项目: the enterprise contacted and the project it may bring."""

    enterprise = StringField("企业名称", validators=[DataRequired("请填写企业名称"), MaxLength(MAX_NAME)])
    name = StringField("项目名称", validators=[DataRequired("请填写项目名称"), MaxLength(MAX_NAME)])
    industry_chain = ListField("产业链", "industry_chain")
    department = _department()
    county = ListField("拟落地县区", "county")
    planned_investment = amount_field("计划投资（万元）", required=False)
    contact = StringField("企业联系人", validators=[MaxLength(MAX_NAME)])
    trip = SelectField("对接批次", coerce=int, invalid_choice_message="请从本部门的批次中选择")
    note = TextAreaField("备注（建设内容等）", validators=[MaxLength(MAX_TEXT)])


class NewLeadForm(LeadForm):
    contacted_on = _date("接触日期")


class StageForm(FlaskForm):
    stage = SelectField("推进到", choices=STAGES, invalid_choice_message="请选择阶段")
    reached_on = _date("日期")


class VisitForm(FlaskForm):
    visited_on = _date("考察日期")
    note = StringField("说明", validators=[MaxLength(MAX_NAME)])


class FundsForm(FlaskForm):
    arrived_on = _date("到位日期")
    amount = amount_field("到位资金（万元）")
