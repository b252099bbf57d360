"""The form of a monthly consultation's decision."""

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
from tracker.web.forms import MaxLength


class DecisionForm(FlaskForm):
    action = TextAreaField("决定事项", validators=[DataRequired("请填写决定事项"), MaxLength(MAX_TEXT)])
    assignee = StringField("责任单位/责任人", validators=[DataRequired("请填写由谁负责"), MaxLength(MAX_NAME)])
    due_on = DateField("完成时限", validators=[InputRequired("请填写完成时限")])
