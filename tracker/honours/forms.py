"""The form of drafting a quarter's 红旗 and 蜗牛 lists (taking an entry off uses the notices' RemovalForm)."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Regexp


class HonoursDraftForm(FlaskForm):
    quarter = StringField(
        "季度",
        validators=[DataRequired("请填写季度"), Regexp(r"^\d{4}-Q[1-4]$", message="季度格式应为 2026-Q3")],
    )
