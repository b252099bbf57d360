"""The project form (create and edit, with its planned milestone dates) and the list upload."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Optional,
)

from tracker.core.limits import MAX_CODE, MAX_EMAIL, MAX_FIGURE, MAX_NAME, MAX_NATIONAL_CODE, MAX_PHONE, MAX_TEXT
from tracker.core.partial_dates import parse_partial_date
from tracker.projects.models import KINDS, LEVELS, MILESTONES, MONTHLY_PLAN_COLUMNS, STAGES
from tracker.projects.monthly_plan import MONTH_LABELS
from tracker.projects.registry import COORDINATES, normalize_national_code
from tracker.web.forms import ListField, MaxLength, amount_field


def coordinate(name):
    """A filter reading a latitude or longitude (degrees, blank for none) with a Chinese message."""
    least, greatest = COORDINATES[name]

    def read(value):
        if value is None or isinstance(value, float):
            return value
        if not str(value).strip():
            return None
        try:
            return float(value)
        except ValueError as e:
            raise ValueError(f"应为 {least} 到 {greatest} 之间的度数") from e

    return read


def coordinate_field(label, name):
    return StringField(
        label, validators=[MaxLength(MAX_FIGURE)], filters=[coordinate(name)], render_kw={"inputmode": "decimal"}
    )


def name_field(label, **kwargs):
    return StringField(label, validators=[MaxLength(MAX_NAME)], **kwargs)


def partial_date_field(label):
    return StringField(
        label,
        validators=[MaxLength(MAX_FIGURE)],
        filters=[parse_partial_date],
        render_kw={"placeholder": "如 2024、2024-10 或 2024年10月"},
    )


def _optional(label, choices):
    return SelectField(label, choices={"": "未填", **choices})


class ProjectForm(FlaskForm):
    """Every field of a project; only the name, the code and the total investment are required (待完善 may follow)."""

    code = StringField("项目编号", validators=[DataRequired("必填"), MaxLength(MAX_CODE)])
    national_code = StringField(
        "项目代码",
        validators=[MaxLength(MAX_NATIONAL_CODE)],
        filters=[normalize_national_code],
        render_kw={"placeholder": "2023-610100-48-01-012345"},
    )
    name = StringField("项目名称", validators=[DataRequired("必填"), MaxLength(MAX_NAME)])
    category = name_field("项目分类", render_kw={"placeholder": "如 基础设施 / 交通 / 铁路"})
    county = ListField("县区", "county")
    industry_chain = ListField("产业链", "industry_chain")
    kind = SelectField("建设性质", choices=KINDS)
    stage = _optional("建设阶段", STAGES)
    level = _optional("项目级别", LEVELS)
    location = name_field("建设地点")
    latitude = coordinate_field("纬度", "latitude")
    longitude = coordinate_field("经度", "longitude")
    scale_and_content = TextAreaField("建设规模及内容", validators=[MaxLength(MAX_TEXT)])
    annual_target = TextAreaField("年度目标", validators=[MaxLength(MAX_TEXT)])
    project_unit = name_field("项目单位")
    responsible_person = name_field("责任人")
    responsible_phone = StringField("联系电话（作为责任人登录名）", validators=[MaxLength(MAX_PHONE)])
    responsible_email = EmailField("电子邮箱", validators=[Optional(), MaxLength(MAX_EMAIL)])
    lead_official = SelectField("市级包抓领导")
    lead_department = ListField("包抓部门", "department")
    total_investment = amount_field("总投资（万元）")
    annual_plan_investment = amount_field("年度计划投资（万元）", required=False)
    start_deadline = DateField("开工时限", validators=[Optional()])
    planned_start = partial_date_field("计划开工")
    planned_completion = partial_date_field("计划竣工")
    statistics_included = BooleanField("已入库纳统")
    statistics_included_on = DateField("入库时间", validators=[Optional()])
    statistics_reason = TextAreaField("未入库原因", render_kw={"placeholder": "如：项目单位尚未提交统计报表"})

    def months(self):
        """The twelve fields of the monthly plan, 1月 to 12月."""
        return [self[column] for column in MONTHLY_PLAN_COLUMNS]


# 分月计划: the cumulative plan by the end of each month, 1月 … 12月 (all twelve or none: registry checks).
for _column, _label in zip(MONTHLY_PLAN_COLUMNS, MONTH_LABELS, strict=True):
    setattr(ProjectForm, _column, amount_field(_label, required=False))


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

    fingerprint = HiddenField(validators=[DataRequired(), MaxLength(MAX_CODE)])


class PlannedProjectForm(ProjectForm):
    """The project form with its planned milestone dates (倒排工期); a blank date is planned from the deadline."""

    planned = FormField(MilestoneDatesForm, label="倒排工期（计划日期，留空则按开工时限倒排）")
