"""The project form (create and edit, with its planned milestone dates) and the list upload."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    FormField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Optional,
)

from tracker.projects.models import KINDS, MILESTONES
from tracker.web.forms import amount_field


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


class ImportForm(FlaskForm):
    file = FileField(
        "项目清单（.xlsx）", validators=[FileRequired("请选择文件"), FileAllowed(["xlsx"], "只接受 .xlsx 文件")]
    )


class ConfirmImportForm(FlaskForm):
    """Confirms a preview: the fingerprint of the plan the office saw."""

    fingerprint = HiddenField(validators=[DataRequired()])


class PlannedProjectForm(ProjectForm):
    """The project form with its planned milestone dates (倒排工期); a blank date is planned from the deadline."""

    planned = FormField(MilestoneDatesForm, label="倒排工期（计划日期，留空则按开工时限倒排）")
