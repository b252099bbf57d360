"""The forms of logging in and of the office's account pages."""

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from tracker.accounts.credentials import MIN_LENGTH, PASSWORD_TOO_LONG
from tracker.accounts.models import CHANNELS, PERSONAL_CHANNELS, ROLES
from tracker.core.limits import MAX_EMAIL, MAX_NAME, MAX_PASSWORD, MAX_PHONE, MAX_USERNAME
from tracker.web.forms import ListField, MaxLength

# Every password field is bounded (argon2 would hash any length); only a new one has a least length.
PASSWORD_MAX = MaxLength(MAX_PASSWORD, PASSWORD_TOO_LONG)


PASSWORD_LENGTH = Length(min=MIN_LENGTH, message=f"密码至少 {MIN_LENGTH} 位")


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), MaxLength(MAX_USERNAME)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), PASSWORD_MAX])


class ChannelsForm(FlaskForm):
    """Who gets what: the channels a person's reminders and summaries travel by (email, SMS)."""

    channels = SelectMultipleField(
        "接收渠道（调度提醒和周报摘要）",
        choices={channel: CHANNELS[channel] for channel in PERSONAL_CHANNELS},
        default=["email"],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def validate_channels(self, field):
        if "sms" in field.data and not (self.phone.data or "").strip():
            raise ValidationError("选择短信须填写手机号")

    @property
    def chosen_channels(self):
        """The channels ticked, in the order the choices list them."""
        return [channel for channel in PERSONAL_CHANNELS if channel in self.channels.data]


class AccountForm(ChannelsForm):
    """What the office can change about an account; the login name stays as created."""

    display_name = StringField("姓名", validators=[DataRequired("必填"), MaxLength(MAX_NAME)])
    role = SelectField("角色", choices=ROLES)
    # Choices are the lead officials' ids as text, "" for none; the view fills them in.
    lead_official = SelectField("关联的市级包抓领导（包抓领导账号）")
    department = ListField("部门（责任部门账号必选）", "department", blank="无")
    # The counties of the projects listed; the view fills them in. A county office account reviews these.
    counties = SelectMultipleField(
        "所辖县区（县区办公室账号）",
        choices=[],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    email = EmailField("电子邮箱", validators=[Optional(), MaxLength(MAX_EMAIL)])
    phone = StringField("手机号", validators=[MaxLength(MAX_PHONE)])


class NewAccountForm(AccountForm):
    username = StringField("登录名", validators=[DataRequired("必填"), MaxLength(MAX_USERNAME)])
    password = PasswordField("初始密码（可留空，稍后设置）", validators=[Optional(), PASSWORD_LENGTH, PASSWORD_MAX])


class PasswordForm(FlaskForm):
    password = PasswordField("新密码", validators=[DataRequired("请输入新密码"), PASSWORD_LENGTH, PASSWORD_MAX])
    confirm = PasswordField("再次输入新密码", validators=[EqualTo("password", "两次输入的密码不一致"), PASSWORD_MAX])


class LeadOfficialForm(ChannelsForm):
    name = StringField("姓名", validators=[DataRequired("必填"), MaxLength(MAX_NAME)])
    title = StringField("职务", validators=[MaxLength(MAX_NAME)])
    email = EmailField("电子邮箱（接收调度邮件）", validators=[Optional(), MaxLength(MAX_EMAIL)])
    phone = StringField("手机号（接收短信）", validators=[MaxLength(MAX_PHONE)])


class OwnPasswordForm(PasswordForm):
    """修改密码: a signed-in user changes their own password."""

    old_password = PasswordField("原密码", validators=[DataRequired("请输入原密码"), PASSWORD_MAX])
