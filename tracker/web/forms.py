"""What every form shares: length limits, amounts in 万元, the managed lists' choices, date ranges, and the bare CSRF-only confirmation."""

import re
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    SelectField,
)
from wtforms.utils import unset_value
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import TextInput

from tracker.core.limits import MAX_FIGURE, too_long
from tracker.core.money import CENTS_MESSAGE, amount_text, in_cents
from tracker.projects.models import LIST_KINDS, ListEntry
from tracker.reports.filing import MAX_AMOUNT

AMOUNT_MESSAGE = "请输入不小于 0 的数（万元）"


class MaxLength(Length):
    """At most ``limit`` characters as typed, with a Chinese message; the input gets ``maxlength`` from it.

    It measures the text sent, not the field's data, so it also bounds a field whose filter
    reads the text into a number or a code.
    """

    def __init__(self, limit, message=None):
        super().__init__(max=limit, message=message or too_long(limit))

    def __call__(self, form, field):
        typed = field.raw_data[0] if field.raw_data else ""
        if isinstance(typed, str) and len(typed) > self.max:
            raise StopValidation(self.message)


# Thousands separators as lists print them, ASCII or full-width.
SEPARATORS = re.compile(r"[,，]")


class AmountField(DecimalField):
    """万元 with at most two decimals, typed as lists print them (113934.98, 1,234.5, full-width digits).

    Its parse errors are Chinese messages (WTForms' own are English without Babel).
    """

    widget = TextInput()

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        if len(valuelist[0]) > MAX_FIGURE:
            self.data = None
            raise ValueError(too_long(MAX_FIGURE))
        text = SEPARATORS.sub("", valuelist[0]).strip()
        if not text:
            self.data = None  # left blank: for InputRequired or Optional to judge, not a parse error
            return
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.data = None
            raise ValueError(AMOUNT_MESSAGE)
        self.data = number
        if not in_cents(number):
            raise ValueError(CENTS_MESSAGE)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else amount_text(self.data)

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
            NumberRange(max=MAX_AMOUNT, message=f"不能超过 {MAX_AMOUNT} 万元"),
        ],
        render_kw={"inputmode": "decimal", "maxlength": MAX_FIGURE},
    )


class ListField(SelectField):
    """A choice among a managed list's active names (县区, 产业链, 部门), ``blank`` for none.

    The name the object holds already (a retired entry, or one never listed)
    stays on offer, so that editing never silently drops it; anything else
    not on the list is refused with a Chinese message.
    """

    def __init__(self, label, kind, blank="未填", **kwargs):
        message = f"请从{LIST_KINDS[kind]}名单中选择（名单由领导小组办公室在“县区·产业链·部门”页维护）"
        super().__init__(label, invalid_choice_message=message, **kwargs)
        self.kind, self.blank = kind, blank

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        held = [self.object_data] if isinstance(self.object_data, str) else []
        self.choices = {"": self.blank, **{name: name for name in ListEntry.names(self.kind, keep=held)}}


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
