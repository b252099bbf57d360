"""The forms of the bond records: a batch, a project's entry, a spending, an application, and the batch import."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from tracker.bonds.models import APPLICATION_STATES
from tracker.core.limits import MAX_CODE, MAX_NAME
from tracker.web.forms import DATE_MESSAGE, MaxLength, amount_field


def _date(label, required=False):
    validators = [InputRequired(f"请填写{label}")] if required else [Optional()]
    return DateField(label, validators=validators, invalid_value_message=DATE_MESSAGE)


def _project_code():
    return StringField("项目编号", validators=[InputRequired("请填写项目编号"), MaxLength(MAX_CODE)])


class BatchForm(FlaskForm):
    year = IntegerField(
        "年度", validators=[InputRequired("请填写年度"), NumberRange(2000, 2099, "年度应在 2000 到 2099 之间")]
    )
    number = IntegerField(
        "第几批", validators=[InputRequired("请填写批次"), NumberRange(1, 99, "批次应在 1 到 99 之间")]
    )
    listed_on = _date("列入清单日期")


class EntryForm(FlaskForm):
    """A project's entry; the project is chosen only when the entry is new (``del form.project`` when editing)."""

    project = _project_code()
    amount = amount_field("债券金额（万元）")
    issued_on = _date("发行/到位日期")


class SpendingForm(FlaskForm):
    spent_on = _date("支出日期", required=True)
    amount = amount_field("支出金额（万元）")
    note = StringField("用途", validators=[MaxLength(MAX_NAME)])


class ApplicationForm(FlaskForm):
    """An application (申报); like EntryForm, the project only when new."""

    project = _project_code()
    amount = amount_field("申报金额（万元）")
    status = SelectField("申报状态", choices=list(APPLICATION_STATES.items()))
    submitted_on = _date("申报日期")
    decided_on = _date("结果日期")


class BondImportForm(FlaskForm):
    file = FileField(
        "专项债券项目清单（.xlsx）",
        validators=[FileRequired("请选择文件"), FileAllowed(["xlsx"], "只接受 .xlsx 文件")],
    )
