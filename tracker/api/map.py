"""The API's map: the projects one may see with coordinates, as GeoJSON, with the battle map's filters."""

from flask import current_app, g, url_for
from marshmallow import fields

from tracker.api.base import bp, errors
from tracker.api.schemas import FiltersSchema, Schema, choice, text
from tracker.core.limits import MAX_NAME
from tracker.map.features import feature_collection
from tracker.projects.lights import LEVELS, light_thresholds
from tracker.projects.models import STATUSES
from tracker.web.listing import filter_condition, today


class MapQuerySchema(FiltersSchema):
    """The battle map's filter bar: a search, the attribute filters and a light."""

    q = text("搜索：项目名称包含该文字，或项目编号、项目代码以其开头（不分大小写）", MAX_NAME)
    light = choice("预警灯", LEVELS)


class PointSchema(Schema):
    type = fields.Constant("Point", metadata={"description": "Point"})
    coordinates = fields.List(fields.Float(), metadata={"description": "[经度, 纬度]（GeoJSON 的顺序）"})


class PinSchema(Schema):
    code = fields.String(metadata={"description": "项目编号"})
    name = fields.String(metadata={"description": "项目名称"})
    county = fields.String(metadata={"description": "县区"})
    status = fields.String(metadata={"description": "项目状态：" + "、".join(STATUSES)})
    light = fields.String(metadata={"description": "预警灯：" + "、".join(LEVELS)})
    light_reason = fields.String(metadata={"description": "亮灯原因（绿灯为“进展正常”）"})
    url = fields.String(metadata={"description": "项目页面的地址"})


class FeatureSchema(Schema):
    type = fields.Constant("Feature", metadata={"description": "Feature"})
    geometry = fields.Nested(PointSchema)
    properties = fields.Nested(PinSchema)


class FeatureCollectionSchema(Schema):
    type = fields.Constant("FeatureCollection", metadata={"description": "FeatureCollection"})
    features = fields.List(fields.Nested(FeatureSchema))
    unplaced = fields.Integer(metadata={"description": "符合筛选条件但未标注坐标的项目数"})


@bp.get("/map")
@bp.arguments(MapQuerySchema, location="query", error_status_code=400)
@bp.response(200, FeatureCollectionSchema)
@errors(400)
def project_map(args):
    """地图：有坐标的项目（GeoJSON FeatureCollection），按预警灯着色；筛选条件与挂图作战相同，项目责任人只看到自己的项目"""
    condition, _ = filter_condition(args, g.api_user)
    config = current_app.config["TRACKER"]
    return feature_collection(
        condition, today(), light_thresholds(config), link=lambda code: url_for("projects.show", code=code)
    )
