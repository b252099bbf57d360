"""The form of drafting a quarter's 红旗 and 蜗牛 lists (taking an entry off uses the notices' RemovalForm)."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp

from tracker.honours.rules import QUARTER_MESSAGE, QUARTER_PATTERN


class HonoursDraftForm(FlaskForm):
    quarter = StringField(
        "季度",
        validators=[DataRequired("请填写季度"), Regexp(f"^{QUARTER_PATTERN}$", message=QUARTER_MESSAGE)],
    )
