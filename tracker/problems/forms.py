"""The forms of raising, answering and re-dating a ledger problem."""

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
)

from tracker.core.limits import MAX_TEXT
from tracker.web.forms import DATE_MESSAGE, ListField, MaxLength

# The statuses a reply may move a problem to; closing (销号) is the office's own button.
REPLY_STATES = {"": "不变更", "in_progress": "解决中", "resolved": "已解决"}


class ProblemForm(FlaskForm):
    """The office or the inspector puts a problem on the ledger (问题台账)."""

    description = TextAreaField("问题描述", validators=[DataRequired("请填写问题描述"), MaxLength(MAX_TEXT)])
    department = ListField(
        "责任部门", "department", blank="请选择部门", validators=[DataRequired("请指定负责解决的部门")]
    )
    deadline = DateField("解决时限", validators=[InputRequired("请填写解决时限")], invalid_value_message=DATE_MESSAGE)


class ProblemReplyForm(FlaskForm):
    text = TextAreaField("答复", validators=[DataRequired("请填写答复内容"), MaxLength(MAX_TEXT)])
    status = SelectField("同时变更状态", choices=REPLY_STATES, invalid_choice_message="请选择解决中或已解决")


class ProblemDeadlineForm(FlaskForm):
    deadline = DateField(
        "新的解决时限", validators=[InputRequired("请填写新的解决时限")], invalid_value_message=DATE_MESSAGE
    )
    reason = TextAreaField("调整理由", validators=[DataRequired("请写明调整理由"), MaxLength(MAX_TEXT)])
