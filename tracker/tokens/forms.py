"""The form that makes an API token."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.accounts.credentials import token_validities
from tracker.accounts.models import ApiToken


def validity_choices(api):
    """(days, label) for the validities offered by ``api`` (config ``[api]``)."""
    return [(d, f"{d} 天" + ("（默认）" if d == api["token_days"] else "")) for d in token_validities(api)]


def _whole_days(text):
    """The number of days chosen; anything else is 0, which no choice has (WTForms' own message is English)."""
    return int(text) if str(text).isascii() and str(text).isdigit() and len(str(text)) < 6 else 0


class TokenForm(FlaskForm):
    name = StringField(
        "用途",
        filters=[lambda text: text.strip() if text else text],
        validators=[
            DataRequired("请写明令牌的用途，如“周报同步脚本”"),
            Length(max=ApiToken.name.max_length, message=f"用途不超过 {ApiToken.name.max_length} 个字"),
        ],
        render_kw={"maxlength": ApiToken.name.max_length, "placeholder": "如：周报同步脚本"},
    )
    # The view sets the choices from the configuration.
    days = SelectField("有效期", coerce=_whole_days, validate_choice=False)

    def validate_days(self, field):
        if field.data not in {days for days, _ in field.choices}:
            raise ValidationError("请选择列出的有效期")
