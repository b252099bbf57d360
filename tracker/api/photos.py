"""The API's 现场照片: attaching photos to a weekly report, listing them, and fetching them.

The same checks as the report page (tracker.photos.attaching): real images only, within the
limits, flagged (never refused) when taken outside the report's week or far from the project.
"""

import datetime as dt
import zoneinfo

from flask import current_app, g, url_for
from flask_smorest import abort
from flask_smorest.fields import Upload
from marshmallow import Schema, fields

from tracker.api.base import bp, errors
from tracker.api.projects import with_project
from tracker.api.schemas import UtcDateTime
from tracker.core.db import db
from tracker.core.weeks import WeekError, week_monday
from tracker.photos.attaching import PhotoError, attach_photos, check_open, photo_file, read_uploads
from tracker.photos.flags import FLAGS
from tracker.photos.models import Photo
from tracker.projects.models import ProgressReport
from tracker.web.access import can, refuse
from tracker.web.audit import request_actor
from tracker.web.limits import photo_upload
from tracker.web.responses import image_response

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")


class PhotoUploadSchema(Schema):
    photo = fields.List(
        Upload(),
        required=True,
        error_messages={"required": "请用 multipart/form-data 上传一张或多张照片（字段名 photo）"},
        metadata={"description": "照片文件（JPEG、PNG、WebP），可重复多次"},
    )


class PhotoFlagSchema(Schema):
    code = fields.String(metadata={"description": "；".join(f"{code} {name}" for code, name in FLAGS.items())})
    message = fields.String(metadata={"description": "说明及偏差，如“距项目 12.4 公里，超过 3 公里”"})


class PhotoSchema(Schema):
    id = fields.Integer()
    week = fields.String(metadata={"description": "周报的周次"})
    taken_at = fields.DateTime(allow_none=True, metadata={"description": "拍摄时间（EXIF，本市时区，带时差）"})
    latitude = fields.Float(allow_none=True, metadata={"description": "拍摄位置纬度（EXIF GPS，WGS-84）"})
    longitude = fields.Float(allow_none=True, metadata={"description": "拍摄位置经度（EXIF GPS，WGS-84）"})
    distance_km = fields.Float(allow_none=True, metadata={"description": "距项目坐标的距离（公里）"})
    flags = fields.List(fields.Nested(PhotoFlagSchema), metadata={"description": "时间或地点不符等标记"})
    size = fields.Integer(metadata={"description": "文件大小（字节）"})
    uploaded_at = UtcDateTime()
    uploaded_by = fields.String(allow_none=True)
    duplicate = fields.Boolean(metadata={"description": "此前已上传到该周报的同一张照片（未重复保存）"})
    thumbnail_url = fields.String(metadata={"description": "缩略图（约 320 像素，无 EXIF）"})
    url = fields.String(metadata={"description": "原图（含 EXIF），凭 API 令牌获取"})


def _report(project, week):
    """The project's report of ``week``: 404 when the week is no week, or has no report."""
    try:
        week_monday(week)
    except WeekError:
        abort(404, message=f"周次格式应为 2026-W47，收到 {week!r}")
    report = ProgressReport.get_or_none(project=project, week=week)
    if report is None:
        abort(404, message=f"{project.name} 没有 {week} 的周报：请先填报周报再上传照片")
    return report


def _out(photo, week, duplicate=False):
    zone = zoneinfo.ZoneInfo(current_app.config["TRACKER"]["city"]["timezone"])
    taken_at = photo.taken_at and photo.taken_at.replace(tzinfo=dt.UTC).astimezone(zone)
    return {
        **{name: getattr(photo, name) for name in ("id", "latitude", "longitude", "distance_km", "flags", "size")},
        "week": week,
        "taken_at": taken_at,
        "uploaded_at": photo.uploaded_at,
        "uploaded_by": photo.uploaded_by.label if photo.uploaded_by_id else None,
        "duplicate": duplicate,
        "thumbnail_url": url_for("api.show_photo", photo_id=photo.id, kind="thumbnail"),
        "url": url_for("api.show_photo", photo_id=photo.id, kind="original"),
    }


@bp.get("/projects/<code>/reports/<week>/photos")
@with_project()
@bp.response(200, PhotoSchema(many=True))
@errors(403, 404)
def list_photos(project, week):
    """一份周报的现场照片，先上传的在前，附拍摄时间、位置、距项目距离和标记"""
    report = _report(project, week)
    return [_out(photo, report.week) for photo in Photo.of_reports([report.id]).get(report.id, [])]


@bp.post("/projects/<code>/reports/<week>/photos")
@with_project("report")
@bp.arguments(PhotoUploadSchema, location="files", error_status_code=400)
@bp.response(201, PhotoSchema(many=True))
@errors(400, 403, 404, 409, 413, 422)
@photo_upload
def add_photos(upload, project, week):
    """上传现场照片到已填报的周报（项目责任人或领导小组办公室），一次一张或多张（字段名 photo）。

    只收真实图片（JPEG、PNG、WebP），每张不超过 [photos] max_mb，每份周报不超过 max_per_report 张，
    否则 413、409 或 422 且不保存任何照片。拍摄时间不在该周、或拍摄地点距项目超过 max_distance_km
    的照片照常保存并带标记（flags）。同一张照片重复上传时返回已保存的那张（duplicate 为 true）。
    周报截止锁定后 409。
    """
    report = _report(project, week)
    config = current_app.config["TRACKER"]
    files = [(f.filename or "photo", f.read()) for f in upload["photo"] if hasattr(f, "read")]
    try:
        uploads = read_uploads(files, config)
        check_open(report, config, past_cutoff=can(g.api_user, "reopen_reports"))
        with db.atomic():
            attached = attach_photos(report, uploads, g.api_user, config, actor=request_actor())
    except PhotoError as e:
        abort(e.status, message=str(e), field="photo")
    return [_out(photo, report.week, duplicate) for photo, duplicate in attached]


@bp.get("/photos/<int:photo_id>/<any(original, thumbnail):kind>")
@bp.doc(responses={"200": {"description": "图片", "content": {kind: {} for kind in IMAGE_TYPES}}})
@errors(403, 404)
def show_photo(photo_id, kind):
    """一张现场照片：原图（original，含 EXIF）或缩略图（thumbnail）；可查看该项目的用户可取"""
    photo = Photo.with_project(photo_id)
    if photo is None:
        abort(404, message="照片不存在")
    if not can(g.api_user, "see", photo.project):
        refuse("see", "只能查看自己可见项目的照片")
    return image_response(photo_file(photo, kind, current_app.config["TRACKER"]))
