"""The API's OC4IDS project package (GET /api/v1/oc4ids) and the schemas that describe it in the OpenAPI.

The package is written by tracker.oc4ids, as the command line writes it, and sent as that JSON:
the schemas below document it and schemathesis holds them to it, but never reshape it.
"""

from flask import current_app, g
from flask_smorest import abort
from marshmallow import fields

from tracker.api.base import bp, errors
from tracker.api.schemas import FiltersSchema, Schema
from tracker.core.weeks import local_now
from tracker.oc4ids.package import NothingToPublish, build_package, package_json
from tracker.web.access import can, refuse
from tracker.web.listing import filter_condition


def _nested(schema, many=False, **kwargs):
    return fields.List(fields.Nested(schema), **kwargs) if many else fields.Nested(schema, **kwargs)


class Oc4idsValueSchema(Schema):
    amount = fields.Integer(metadata={"description": "元（万元 × 10,000）"})
    currency = fields.String(metadata={"description": "CNY"})


class Oc4idsReferenceSchema(Schema):
    id = fields.String()
    name = fields.String()


class Oc4idsPartySchema(Oc4idsReferenceSchema):
    roles = fields.List(
        fields.String(), metadata={"description": "publicAuthority（项目单位）、leadDepartment（包抓部门）"}
    )


class Oc4idsClassificationSchema(Schema):
    scheme = fields.String()
    id = fields.String()
    description = fields.String()


class Oc4idsIdentifierSchema(Schema):
    id = fields.String()
    scheme = fields.String()


class Oc4idsGeometrySchema(Schema):
    type = fields.String()
    coordinates = fields.List(fields.Float(), metadata={"description": "[经度, 纬度]"})


class Oc4idsAddressSchema(Schema):
    streetAddress = fields.String(metadata={"description": "建设地点"})
    locality = fields.String(metadata={"description": "县区"})


class Oc4idsLocationSchema(Schema):
    id = fields.String()
    description = fields.String()
    geometry = _nested(Oc4idsGeometrySchema)
    address = _nested(Oc4idsAddressSchema)


class Oc4idsFinanceSchema(Schema):
    id = fields.String(metadata={"description": "资金来源"})
    source = fields.String()
    description = fields.String()
    value = _nested(Oc4idsValueSchema)
    type = fields.String(metadata={"description": "bond（专项债券）、loan（银行贷款）、grant（中央预算内、省级资金）"})
    assetClass = fields.List(fields.String())


class Oc4idsBudgetSchema(Schema):
    amount = _nested(Oc4idsValueSchema)
    finance = _nested(Oc4idsFinanceSchema, many=True)


class Oc4idsPeriodSchema(Schema):
    startDate = fields.String()
    endDate = fields.String()


class Oc4idsMilestoneSchema(Schema):
    id = fields.String()
    title = fields.String()
    type = fields.String()
    code = fields.String(metadata={"description": "suspension：停工"})
    description = fields.String()
    dueDate = fields.String()
    dateMet = fields.String()
    status = fields.String()


class Oc4idsCompletionSchema(Schema):
    endDate = fields.String()
    endDateDetails = fields.String()


class Oc4idsOfficialSchema(Schema):
    name = fields.String()
    title = fields.String()


class Oc4idsProjectSchema(Schema):
    id = fields.String(required=True, metadata={"description": "[oc4ids] id_prefix-项目编号"})
    updated = fields.String()
    language = fields.String()
    identifiers = _nested(Oc4idsIdentifierSchema, many=True)
    title = fields.String()
    description = fields.String(metadata={"description": "建设规模及内容"})
    status = fields.String()
    type = fields.String()
    sector = fields.List(fields.String())
    additionalClassifications = _nested(Oc4idsClassificationSchema, many=True)
    publicAuthority = _nested(Oc4idsReferenceSchema)
    parties = _nested(Oc4idsPartySchema, many=True)
    locations = _nested(Oc4idsLocationSchema, many=True)
    budget = _nested(Oc4idsBudgetSchema)
    period = _nested(Oc4idsPeriodSchema)
    milestones = _nested(Oc4idsMilestoneSchema, many=True)
    completion = _nested(Oc4idsCompletionSchema)
    leadOfficial = _nested(Oc4idsOfficialSchema, metadata={"description": "扩展字段：市级包抓领导"})
    leadDepartment = _nested(Oc4idsReferenceSchema, metadata={"description": "扩展字段：包抓部门"})


class Oc4idsPublisherSchema(Schema):
    name = fields.String(required=True)


class Oc4idsPackageSchema(Schema):
    uri = fields.String(required=True)
    version = fields.String(required=True)
    publishedDate = fields.String(required=True)
    publisher = _nested(Oc4idsPublisherSchema, required=True)
    license = fields.String()
    publicationPolicy = fields.String()
    extensions = fields.List(fields.String())
    projects = _nested(Oc4idsProjectSchema, many=True, required=True)


@bp.get("/oc4ids")
@bp.arguments(FiltersSchema, location="query", error_status_code=400)
@bp.response(200, Oc4idsPackageSchema)
@errors(400, 403, 404)
def show_oc4ids(args):
    """OC4IDS 项目包（0.9.5）：未归档的项目，可按县区、产业链等筛选；没有符合条件的项目时 404（领导小组办公室、包抓领导、纪委监委、责任部门）"""
    if not can(g.api_user, "publish_oc4ids"):
        refuse("publish_oc4ids", "只有领导小组办公室、包抓领导、纪委监委和责任部门可以导出 OC4IDS 项目包")
    config = current_app.config["TRACKER"]
    condition, _ = filter_condition(args, g.api_user)
    today = local_now(config["city"]["timezone"]).date()
    try:
        package = build_package(config, today, condition, filters=args)
    except NothingToPublish as e:
        abort(404, message=str(e))
    return current_app.response_class(package_json(package), mimetype="application/json")
