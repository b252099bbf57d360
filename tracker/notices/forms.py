"""The forms of drafting and editing a notice and of taking an entry off it."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
)

from tracker.core.limits import MAX_NAME, MAX_TEXT
from tracker.lagging.rules import DAY_RANGE_MESSAGE, FIRST_DAY, LAST_DAY
from tracker.web.forms import DateRange, MaxLength


class NoticeDraftForm(FlaskForm):
    day = DateField(
        "名单日期",
        validators=[InputRequired("请选择日期"), DateRange(FIRST_DAY, LAST_DAY, DAY_RANGE_MESSAGE)],
    )
    title = StringField("通报标题（可留空，按月份生成）", validators=[MaxLength(MAX_NAME)])


class NoticeEditForm(FlaskForm):
    title = StringField("通报标题", validators=[DataRequired("请填写通报标题"), MaxLength(MAX_NAME)])
    preamble = TextAreaField("导语", validators=[MaxLength(MAX_TEXT)])


class RemovalForm(FlaskForm):
    reason = TextAreaField(
        "移出理由（将记录在案，纪委监委可见）", validators=[DataRequired("请写明移出理由"), MaxLength(MAX_TEXT)]
    )
