"""What every form shares: amounts in 万元, date ranges, and the bare CSRF-only confirmation."""

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
)
from wtforms.validators import (
    InputRequired,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from tracker.reports.filing import MAX_AMOUNT

AMOUNT_MESSAGE = "请输入不小于 0 的整数（万元）"


class AmountField(IntegerField):
    """An integer in 万元 whose parse error is a Chinese message (WTForms' own is English without Babel)."""

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            self.data = None  # left blank: for InputRequired or Optional to judge, not a parse error
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as e:
            raise ValueError(AMOUNT_MESSAGE) from e

    def pre_validate(self, form):
        # Text that is no number has its message already; the range checks would only repeat it.
        if self.process_errors:
            raise StopValidation()


def amount_field(label, required=True):
    return AmountField(
        label,
        validators=[
            InputRequired("必填") if required else Optional(),
            NumberRange(min=0, message=AMOUNT_MESSAGE),
            # The database's integer columns end here; beyond it a save would fail, not explain.
            NumberRange(max=MAX_AMOUNT, message=f"不能超过 {MAX_AMOUNT} 万元"),
        ],
        render_kw={"inputmode": "numeric", "min": 0},
    )


class DateRange:
    """A range check for dates: WTForms' NumberRange refuses anything but numbers."""

    def __init__(self, first, last, message):
        self.first, self.last, self.message = first, last, message

    def __call__(self, form, field):
        if field.data is not None and not self.first <= field.data <= self.last:
            raise ValidationError(self.message)


class ConfirmForm(FlaskForm):
    """A form with nothing but the CSRF token, for POST-only buttons."""


DATE_MESSAGE = "日期格式应为 2026-11-23"
