"""The API's project list (项目清单) as the office keeps it: importing an .xlsx (a preview of what it would
change, then confirming that preview; the same reading, planning and writing as the import page) and
archiving a project (taking it off the list)."""

from flask import current_app, g
from flask_smorest import abort
from flask_smorest.fields import Upload
from marshmallow import fields

from tracker.api.base import bp, errors
from tracker.api.projects import with_project
from tracker.api.schemas import MAX_CODE, ErrorDetailSchema, ProjectDetailSchema, Schema, text
from tracker.projects.registry import archive_project
from tracker.projects.staging import import_staging
from tracker.web.access import can, refuse
from tracker.web.audit import request_actor
from tracker.web.limits import upload
from tracker.web.listing import today

REFUSAL = "只有领导小组办公室可以导入项目清单"


class ArchivedProjectSchema(ProjectDetailSchema):
    archived = fields.Boolean(metadata={"description": "已归档：不在项目清单中，项目页和历史记录保留"})


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "项目清单（.xlsx），表单字段名 file"})


class ConfirmInSchema(Schema):
    fingerprint = text("预览返回的 fingerprint：确认的正是所预览的变更", MAX_CODE, required=True)


class PlannedRowSchema(Schema):
    sheet = fields.String(metadata={"description": "工作表"})
    row = fields.Integer(metadata={"description": "行号"})
    code = fields.String()
    name = fields.String()


class CreatedSchema(PlannedRowSchema):
    total_investment = fields.Decimal(as_string=False, allow_none=True, metadata={"description": "总投资（万元）"})
    numbered = fields.Boolean(metadata={"description": "表中无项目编号，按本市顺序自动编号"})
    missing_fields = fields.List(fields.String(), metadata={"description": "导入后仍缺少的字段（待完善）"})


class ChangeSchema(Schema):
    field = fields.String()
    old = fields.String(allow_none=True)
    new = fields.String(allow_none=True)


class ChangedSchema(PlannedRowSchema):
    changes = fields.List(fields.Nested(ChangeSchema))


class PreviewSchema(Schema):
    preview = fields.String(metadata={"description": "预览编号：确认时 POST /projects/import/{preview}"})
    fingerprint = fields.String(metadata={"description": "所预览变更的指纹，确认时原样提交"})
    filename = fields.String()
    rows = fields.Integer(metadata={"description": "表中项目数"})
    created = fields.List(fields.Nested(CreatedSchema), metadata={"description": "将新增的项目"})
    changed = fields.List(fields.Nested(ChangedSchema), metadata={"description": "将更新的项目及每个字段的变化"})
    unchanged = fields.Integer(metadata={"description": "无变化的项目数"})
    new_officials = fields.List(fields.String(), metadata={"description": "将新建的包抓领导"})
    new_entries = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "将加入名单的县区、产业链、部门"},
    )
    warnings = fields.List(fields.String(), metadata={"description": "提示（不影响导入），与导入页相同"})


class ImportedSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    state = fields.String(metadata={"description": "done：已完成"})
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    incomplete = fields.Integer(metadata={"description": "导入后待完善的项目数"})


class SheetErrorDetailSchema(ErrorDetailSchema):
    problems = fields.List(fields.String(), metadata={"description": "表中每个问题：工作表、行和原因，与导入页相同"})


class SheetErrorSchema(Schema):
    error = fields.Nested(SheetErrorDetailSchema, required=True)


def _may_import():
    if not can(g.api_user, "manage_projects"):
        refuse("manage_projects", REFUSAL)


def _sheet_refused(e):
    """The sheet's problems, each as the import page lists it: 422, nothing written."""
    abort(422, message=f"清单有 {len(e.problems)} 处问题，未导入任何项目", problems=e.problems)


@bp.post("/projects/import")
@bp.arguments(ImportFileSchema, location="files")
@bp.response(201, PreviewSchema)
@bp.alt_response(422, schema=SheetErrorSchema, description="清单有问题：problems 逐条列出，未写入任何内容")
@errors(400, 403, 413)
@upload
def preview_project_import(files):
    """上传项目清单预览导入（领导小组办公室）：返回将新增、更新的项目和提示，尚未写入；确认前预览保留一天"""
    from tracker.projects.sheet_import import SheetError, preview_import

    _may_import()
    sheet = files["file"]
    if not (sheet.filename or "").lower().endswith(".xlsx"):
        abort(422, message="只接受 .xlsx 文件", field="file")
    try:
        plan, staged = preview_import(
            import_staging(current_app.config["TRACKER"]), sheet.stream, sheet.filename, today()
        )
    except SheetError as e:
        _sheet_refused(e)
    return _preview(plan, staged)


@bp.get("/projects/import/<preview>")
@bp.response(200, PreviewSchema)
@bp.alt_response(422, schema=SheetErrorSchema, description="按最新数据，清单已不能导入")
@errors(403, 404)
def show_project_import(preview):
    """再次预览：按项目清单的最新数据重新生成（确认被 409 拒绝后，取其新的 fingerprint）"""
    from tracker.projects.sheet_import import SheetError, plan_import

    _may_import()
    staged = _staged(preview)
    try:
        return _preview(plan_import(staged.reading, today()), staged)
    except SheetError as e:
        _sheet_refused(e)


@bp.post("/projects/import/<preview>")
@bp.arguments(ConfirmInSchema)
@bp.response(201, ImportedSchema)
@bp.alt_response(422, schema=SheetErrorSchema, description="清单已不能导入")
@errors(400, 403, 404, 409)
def confirm_project_import(values, preview):
    """确认导入（领导小组办公室）：写入所预览的变更；预览后清单被他人修改时 409，不写入，请再次预览"""
    from tracker.projects.sheet_import import PlanChanged, SheetError, confirm_staged

    _may_import()
    staging = import_staging(current_app.config["TRACKER"])
    staged = _staged(preview, staging)
    config = current_app.config["TRACKER"]
    try:
        plan, run = confirm_staged(staging, staged, values["fingerprint"], g.api_user, config, today(), request_actor())
    except PlanChanged as e:
        abort(409, message=str(e), field="fingerprint")
    except SheetError as e:
        _sheet_refused(e)
    incomplete = sum(1 for planned in plan.projects if planned.missing_fields)
    return {
        **{k: getattr(run, k) for k in ImportedSchema._declared_fields if k != "incomplete"},
        "incomplete": incomplete,
    }


def _staged(preview, staging=None):
    staged = (staging or import_staging(current_app.config["TRACKER"])).find(preview)
    if staged is None:
        abort(404, message="预览已失效或不存在，请重新上传清单")
    return staged


def _preview(plan, staged):
    def where(planned):
        return {"sheet": planned.row.sheet, "row": planned.row.number}

    return {
        "preview": staged.token,
        "fingerprint": plan.fingerprint,
        "filename": staged.filename,
        "rows": len(plan.projects),
        "created": [
            {
                **where(p),
                **{k: p.values.get(k) for k in ("code", "name", "total_investment")},
                "numbered": p.numbered,
                "missing_fields": p.missing_fields,
            }
            for p in plan.created
        ],
        "changed": [
            {
                **where(p),
                "code": p.project.code,
                "name": p.project.name,
                "changes": [{"field": f, "old": _text(old), "new": _text(new)} for f, (old, new) in p.changes.items()],
            }
            for p in plan.changed
        ],
        "unchanged": len(plan.unchanged),
        "new_officials": plan.new_officials,
        "new_entries": plan.new_entries,
        "warnings": plan.warnings,
    }


def _text(value):
    return None if value is None else str(value)


@bp.post("/projects/<code>/archive")
@with_project("manage_projects")
@bp.response(200, ArchivedProjectSchema)
@errors(403, 404, 409)
def archive(project):
    """归档项目（领导小组办公室）：移出项目清单，项目页和历史记录保留；已归档的 409。再次导入列有它的清单时恢复"""
    if project.archived:
        abort(409, message=f"项目 {project.code} 已归档")
    archive_project(project, g.api_user)
    return project
