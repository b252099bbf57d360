"""The forms of the enterprises' pages: a status change, a factor problem, the list's upload."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from tracker.core.limits import MAX_TEXT
from tracker.enterprises.models import FACTORS, RESUMPTION_STATES
from tracker.web.forms import DATE_MESSAGE, MaxLength


class StatusForm(FlaskForm):
    status = RadioField("复工复产状态", choices=RESUMPTION_STATES, validators=[InputRequired("请选择状态")])
    on = DateField("日期", validators=[InputRequired("请填写日期")], invalid_value_message=DATE_MESSAGE)
    note = TextAreaField("说明（可选）", validators=[MaxLength(MAX_TEXT)])


class FactorProblemForm(FlaskForm):
    factor = SelectField("生产要素", choices=FACTORS, invalid_choice_message="请选择生产要素")
    description = TextAreaField("问题描述", validators=[DataRequired("请填写问题描述"), MaxLength(MAX_TEXT)])
    deadline = DateField("解决时限", validators=[InputRequired("请填写解决时限")], invalid_value_message=DATE_MESSAGE)


class RosterForm(FlaskForm):
    file = FileField(
        "规上工业企业名单（.xlsx）",
        validators=[FileRequired("请选择文件"), FileAllowed(["xlsx"], "只接受 .xlsx 文件")],
    )
