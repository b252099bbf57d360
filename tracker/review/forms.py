"""The county office's decision on a weekly report."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import HiddenInput


class ReviewForm(FlaskForm):
    """通过 or 退回 (the button pressed sets ``decision``), with the version of the report on the page."""

    decision = HiddenField(validators=[DataRequired("请选择审核结论")])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired("缺少周报版本，请刷新页面")])
    reason = TextAreaField("退回理由", render_kw={"placeholder": "退回时必填：请写明需要核实或修改的内容"})
