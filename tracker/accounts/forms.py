"""The forms of logging in and of the office's account pages."""

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    EqualTo,
    Length,
    Optional,
)

from tracker.accounts.credentials import MIN_LENGTH
from tracker.accounts.models import ROLES
from tracker.web.forms import ListField


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


PASSWORD_LENGTH = Length(min=MIN_LENGTH, message=f"密码至少 {MIN_LENGTH} 位")


class AccountForm(FlaskForm):
    """What the office can change about an account; the login name stays as created."""

    display_name = StringField("姓名", validators=[DataRequired("必填")])
    role = SelectField("角色", choices=ROLES)
    # Choices are the lead officials' ids as text, "" for none; the view fills them in.
    lead_official = SelectField("关联的市级包抓领导（包抓领导账号）")
    department = ListField("部门（责任部门账号必选）", "department", blank="无")
    email = EmailField("电子邮箱", validators=[Optional()])
    phone = StringField("手机号")


class NewAccountForm(AccountForm):
    username = StringField("登录名", validators=[DataRequired("必填")])
    password = PasswordField("初始密码（可留空，稍后设置）", validators=[Optional(), PASSWORD_LENGTH])


class PasswordForm(FlaskForm):
    password = PasswordField("新密码", validators=[DataRequired("请输入新密码"), PASSWORD_LENGTH])
    confirm = PasswordField("再次输入新密码", validators=[EqualTo("password", "两次输入的密码不一致")])


class LeadOfficialForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("必填")])
    title = StringField("职务")
    email = EmailField("电子邮箱（接收调度邮件）", validators=[Optional()])


class OwnPasswordForm(PasswordForm):
    """修改密码: a signed-in user changes their own password."""

    old_password = PasswordField("原密码", validators=[DataRequired("请输入原密码")])
