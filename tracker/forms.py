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
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from .filing import MAX_AMOUNT
from .lagging import DAY_RANGE_MESSAGE, FIRST_DAY, LAST_DAY
from .models import FUNDING_SOURCES, KINDS, MILESTONES, ROLES, STATUSES

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


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名")])
    password = PasswordField("密码", validators=[DataRequired("请输入密码")])


class DateRange:
    """A range check for dates: WTForms' NumberRange refuses anything but numbers."""

    def __init__(self, first, last, message):
        self.first, self.last, self.message = first, last, message

    def __call__(self, form, field):
        if field.data is not None and not self.first <= field.data <= self.last:
            raise ValidationError(self.message)


class ConfirmForm(FlaskForm):
    """A form with nothing but the CSRF token, for POST-only buttons."""


class ProjectForm(FlaskForm):
    code = StringField("项目编号", validators=[DataRequired("必填")])
    name = StringField("项目名称", validators=[DataRequired("必填")])
    county = StringField("县区", validators=[DataRequired("必填")])
    industry_chain = StringField("产业链", validators=[DataRequired("必填")])
    kind = SelectField("建设性质", choices=KINDS)
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
    status = SelectField("项目状态", choices=STATUSES)
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


class PlannedProjectForm(ProjectForm):
    """The project form with its planned milestone dates (倒排工期); a blank date is planned from the deadline."""

    planned = FormField(MilestoneDatesForm, label="倒排工期（计划日期，留空则按开工时限倒排）")


PASSWORD_LENGTH = Length(min=8, message="密码至少 8 位")


class AccountForm(FlaskForm):
    """What the office can change about an account; the login name stays as created."""

    display_name = StringField("姓名", validators=[DataRequired("必填")])
    role = SelectField("角色", choices=ROLES)
    # Choices are the lead officials' ids as text, "" for none; the view fills them in.
    lead_official = SelectField("关联的市级包抓领导（包抓领导账号）")
    department = StringField("部门")
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


class NoticeDraftForm(FlaskForm):
    day = DateField(
        "名单日期",
        validators=[InputRequired("请选择日期"), DateRange(FIRST_DAY, LAST_DAY, DAY_RANGE_MESSAGE)],
    )
    title = StringField("通报标题（可留空，按月份生成）")


class NoticeEditForm(FlaskForm):
    title = StringField("通报标题", validators=[DataRequired("请填写通报标题")])
    preamble = TextAreaField("导语")


class RemovalForm(FlaskForm):
    reason = TextAreaField("移出理由（将记录在案，纪委监委可见）", validators=[DataRequired("请写明移出理由")])


class SupervisionForm(FlaskForm):
    reason = TextAreaField("督办事由", validators=[DataRequired("请写明督办事由")])
    demand = TextAreaField("督办要求（需要做什么）")
    reply_deadline = DateField("回复时限", validators=[InputRequired("请填写回复时限")])


class OrderReplyForm(FlaskForm):
    reply = TextAreaField("办理情况回复", validators=[DataRequired("请填写回复内容")])


DATE_MESSAGE = "日期格式应为 2026-11-23"
# The statuses a reply may move a problem to; closing (销号) is the office's own button.
REPLY_STATES = {"": "不变更", "in_progress": "解决中", "resolved": "已解决"}


class ProblemForm(FlaskForm):
    """The office or the inspector puts a problem on the ledger (问题台账)."""

    description = TextAreaField("问题描述", validators=[DataRequired("请填写问题描述")])
    department = StringField("责任部门", validators=[DataRequired("请指定负责解决的部门")])
    deadline = DateField("解决时限", validators=[InputRequired("请填写解决时限")], invalid_value_message=DATE_MESSAGE)


class ProblemReplyForm(FlaskForm):
    text = TextAreaField("答复", validators=[DataRequired("请填写答复内容")])
    status = SelectField("同时变更状态", choices=REPLY_STATES, invalid_choice_message="请选择解决中或已解决")


class ProblemDeadlineForm(FlaskForm):
    deadline = DateField(
        "新的解决时限", validators=[InputRequired("请填写新的解决时限")], invalid_value_message=DATE_MESSAGE
    )
    reason = TextAreaField("调整理由", validators=[DataRequired("请写明调整理由")])
