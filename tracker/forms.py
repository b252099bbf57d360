"""Web forms (Flask-WTF, so every form carries a CSRF token)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    FormField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from .models import FUNDING_SOURCES, KINDS, MILESTONES, STATUSES

AMOUNT_MESSAGE = "请输入不小于 0 的整数（万元）"


def amount_field(label, required=True):
    return IntegerField(
        label,
        validators=[InputRequired("必填") if required else Optional(), NumberRange(min=0, message=AMOUNT_MESSAGE)],
        render_kw={"inputmode": "numeric", "min": 0},
    )


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class ConfirmForm(FlaskForm):
    """A form with nothing but the CSRF token, for POST-only buttons."""


class ProjectForm(FlaskForm):
    code = StringField("项目编号", validators=[DataRequired("必填")])
    name = StringField("项目名称", validators=[DataRequired("必填")])
    county = StringField("县区", validators=[DataRequired("必填")])
    industry_chain = StringField("产业链", validators=[DataRequired("必填")])
    kind = SelectField("建设性质", choices=list(KINDS.items()))
    project_unit = StringField("项目单位", validators=[DataRequired("必填")])
    responsible_person = StringField("责任人", validators=[DataRequired("必填")])
    responsible_phone = StringField("联系电话（作为责任人登录名）")
    responsible_email = EmailField("电子邮箱", validators=[Optional()])
    lead_official = SelectField("市级包抓领导", validators=[DataRequired("必填")])
    lead_department = StringField("包抓部门", validators=[DataRequired("必填")])
    total_investment = amount_field("总投资（万元）")
    annual_plan_investment = amount_field("年度计划投资（万元）")
    start_deadline = DateField("开工时限", validators=[InputRequired("请填写日期")])


class MilestoneDatesForm(FlaskForm):
    """One date per milestone; built dynamically from MILESTONES."""

    class Meta:
        csrf = False


for _kind, _label in MILESTONES.items():
    setattr(MilestoneDatesForm, _kind, DateField(_label, validators=[Optional()]))


class FundsForm(FlaskForm):
    class Meta:
        csrf = False


for _source, _label in FUNDING_SOURCES.items():
    setattr(FundsForm, _source, amount_field(_label, required=False))


class ReportForm(FlaskForm):
    status = SelectField("项目状态", choices=list(STATUSES.items()))
    investment_completed = amount_field("年内累计完成投资（万元）")
    funds = FormField(FundsForm, label="本期到位资金（万元）")
    physical_progress = TextAreaField("形象进度", validators=[DataRequired("请描述形象进度")])
    milestones = FormField(MilestoneDatesForm, label="已完成节点（实际日期）")
    problems = TextAreaField("存在问题")
    next_week_plan = TextAreaField("下周计划")
    explanation = TextAreaField("情况说明（数据异常时必填）")


class DecisionForm(FlaskForm):
    action = TextAreaField("决定事项", validators=[DataRequired("请填写决定事项")])
    assignee = StringField("责任单位/责任人", validators=[DataRequired("请填写由谁负责")])
    due_on = DateField("完成时限", validators=[InputRequired("请填写完成时限")])


class ImportForm(FlaskForm):
    file = FileField(
        "项目清单（.xlsx）", validators=[FileRequired("请选择文件"), FileAllowed(["xlsx"], "只接受 .xlsx 文件")]
    )
