"""The forms of issuing and answering a supervision order."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
)

from tracker.core.limits import MAX_TEXT
from tracker.web.forms import MaxLength


class SupervisionForm(FlaskForm):
    reason = TextAreaField("督办事由", validators=[DataRequired("请写明督办事由"), MaxLength(MAX_TEXT)])
    demand = TextAreaField("督办要求（需要做什么）", validators=[MaxLength(MAX_TEXT)])
    reply_deadline = DateField("回复时限", validators=[InputRequired("请填写回复时限")])


class OrderReplyForm(FlaskForm):
    reply = TextAreaField("办理情况回复", validators=[DataRequired("请填写回复内容"), MaxLength(MAX_TEXT)])
