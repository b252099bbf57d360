"""The forms of registering, transferring, answering and re-checking (回头看) a letter."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, Optional

from tracker.core.limits import MAX_NAME, MAX_PHONE, MAX_TEXT
from tracker.letters.handling import units
from tracker.letters.models import CHANNELS, LETTER_LEVELS, UNIT_KINDS
from tracker.web.forms import DATE_MESSAGE, MaxLength


class UnitField(SelectField):
    """A department or a county from the managed lists (the letter's 承办单位)."""

    def __init__(self, label, **kwargs):
        super().__init__(label, invalid_choice_message="请从部门或县区名单中选择承办单位", **kwargs)

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        self.choices = [
            ("", "请选择承办单位"),
            *((name, f"{name}（{UNIT_KINDS[kind]}）") for name, kind in units().items()),
        ]


class LetterForm(FlaskForm):
    """The office (综合组) registers a letter, call or visit and transfers it (转办)."""

    level = SelectField("来源级别", choices=LETTER_LEVELS, invalid_choice_message="请选择来源级别")
    channel = SelectField("方式", choices=CHANNELS, invalid_choice_message="请选择来信来访方式")
    received_on = DateField(
        "收到日期", validators=[InputRequired("请填写收到日期")], invalid_value_message=DATE_MESSAGE
    )
    summary = TextAreaField("信访事项摘要", validators=[DataRequired("请填写信访事项摘要"), MaxLength(MAX_TEXT)])
    complainant_name = StringField("信访人（仅综合组和纪委监委可见）", validators=[MaxLength(MAX_NAME)])
    complainant_phone = StringField("联系电话（仅综合组和纪委监委可见）", validators=[MaxLength(MAX_PHONE)])
    unit = UnitField("承办单位", validators=[DataRequired("请选择承办单位")])
    person_in_charge = StringField("承办专人", validators=[DataRequired("请指定承办专人"), MaxLength(MAX_NAME)])
    transferred_on = DateField("转办日期（空为今天）", validators=[Optional()], invalid_value_message=DATE_MESSAGE)
    deadline = DateField("办结时限（空为按规定天数）", validators=[Optional()], invalid_value_message=DATE_MESSAGE)


class TransferForm(FlaskForm):
    unit = UnitField("改转至", validators=[DataRequired("请选择承办单位")])
    person_in_charge = StringField("承办专人（空为不变）", validators=[MaxLength(MAX_NAME)])
    deadline = DateField("办结时限（空为不变）", validators=[Optional()], invalid_value_message=DATE_MESSAGE)


class LetterReplyForm(FlaskForm):
    text = TextAreaField("答复内容", validators=[DataRequired("请填写答复内容"), MaxLength(MAX_TEXT)])


class ReopenForm(FlaskForm):
    reason = TextAreaField("重新办理理由", validators=[DataRequired("请写明重新办理的理由"), MaxLength(MAX_TEXT)])
    deadline = DateField(
        "新的办结时限", validators=[InputRequired("请填写新的办结时限")], invalid_value_message=DATE_MESSAGE
    )
