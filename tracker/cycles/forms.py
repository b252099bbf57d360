"""The form of a monthly consultation's decision."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
)

from tracker.core.limits import MAX_NAME, MAX_TEXT
from tracker.cycles.consultations import OUTCOMES
from tracker.web.forms import ListField, MaxLength


class DecisionForm(FlaskForm):
    action = TextAreaField("决定事项", validators=[DataRequired("请填写决定事项"), MaxLength(MAX_TEXT)])
    department = ListField("责任部门（由部门负责时选择，逾期计入该部门加减分）", "department", blank="无")
    assignee = StringField("责任单位/责任人", validators=[DataRequired("请填写由谁负责"), MaxLength(MAX_NAME)])
    due_on = DateField("完成时限", validators=[InputRequired("请填写完成时限")])


class FollowThroughForm(FlaskForm):
    """落实情况: the office records whether a decision was carried out, as of a date."""

    outcome = RadioField("落实情况", choices=OUTCOMES, validators=[InputRequired("请选择落实情况")])
    note = TextAreaField("说明", validators=[Length(max=2000, message="说明过长")])
    on = DateField("情况日期", validators=[InputRequired("请填写日期")])
