"""Attaching photos to a weekly report: real images only, within the limits, each stored once, files and rows together.

Every file of a batch is read, checked and re-encoded before anything is written; then the files
and the rows are written in one transaction, and the files written are removed again if it fails,
so a refused or failed batch leaves neither a row nor an orphan file.
"""

import dataclasses
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from tracker.audit.log import Actor, record
from tracker.core.db import db
from tracker.photos import exif
from tracker.photos.flags import judge
from tracker.photos.models import Photo
from tracker.reports.filing import is_locked

# A phone's main camera at full resolution (50 MP: 8160 × 6144) fits; a file claiming more pixels is
# refused before it is decoded, as decoding it could take gigabytes (a decompression bomb).
MAX_PIXELS = 64_000_000
# Pillow's own guard, for any image this process opens: a warning above it, an error above twice it.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# What Pillow reads and a browser shows; MPO is the JPEG many phones write (a main image and a depth map).
FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
FORMAT_NAMES = "JPEG、PNG、WebP"
# ISO base media brands of HEIC/HEIF, the iPhone's default: Pillow cannot decode them without a plugin.
HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1")
THUMBNAIL_PX = 320
# The public copy is for reading on a page, not for printing.
PUBLIC_PX = 1600


class PhotoError(ValueError):
    """A batch cannot be attached as given; nothing of it is stored. ``status`` is what the API answers."""

    def __init__(self, message, status=422):
        super().__init__(message)
        self.status = status


@dataclasses.dataclass
class Prepared:
    """An uploaded file read and checked, with its re-encoded copies, ready to be written."""

    name: str
    data: bytes
    content_hash: str
    extension: str
    taken_at: dt.datetime | None
    place: tuple | None
    thumbnail: bytes
    public: bytes


def prepare(name, data, config):
    """Read one uploaded file: PhotoError unless it is a real image within ``[photos] max_mb``."""
    limits = config["photos"]
    if not data:
        raise PhotoError(f"{name} 是空文件")
    if len(data) > limits["max_mb"] * 2**20:
        raise PhotoError(f"{name} 超过 {limits['max_mb']} MB，请压缩后再上传", 413)
    image = _open(name, data)
    try:
        picture = exif.read(image, config["city"]["timezone"])
        thumbnail, public = _copy(image, THUMBNAIL_PX), _copy(image, PUBLIC_PX)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise PhotoError(f"{name} 已损坏或不完整，无法读取") from e
    finally:
        image.close()
    extension = FORMATS[image.format]
    return Prepared(name, data, hashlib.sha256(data).hexdigest(), extension, *picture, thumbnail, public)


def _open(name, data):
    """The image of ``data``, verified whole and opened again (``verify`` leaves an image unusable)."""
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        raise PhotoError(
            f"{name} 是 HEIC 格式，暂不支持：请在手机相机设置中选择“兼容性最佳”（JPEG）后重拍，或上传 {FORMAT_NAMES} 图片"
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise PhotoError(f"{name} 是 {probe.format} 格式，只能上传 {FORMAT_NAMES} 图片")
            _check_pixels(name, probe)
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except PhotoError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise PhotoError(too_many_pixels(name)) from e
    except UnidentifiedImageError as e:
        raise PhotoError(f"{name} 不是图片，只能上传 {FORMAT_NAMES} 图片") from e
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise PhotoError(f"{name} 已损坏或不完整，无法读取") from e
    return image


def too_many_pixels(name):
    return f"{name} 的像素过多，不能超过 {MAX_PIXELS // 10**6} 百万像素"


def _check_pixels(name, image):
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoError(too_many_pixels(name))


def _copy(image, size):
    """A JPEG of ``image`` upright (EXIF orientation applied) within ``size`` px, and with no EXIF, XMP or ICC at all."""
    upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((size, size))
    # Saving takes metadata only from save()'s own arguments: none are given, so none is written.
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def read_uploads(files, config):
    """Read and check ``files`` ([(name, bytes)]) before anything is written: [Prepared], one per distinct file.

    Raises PhotoError when there is none, or when one is not a real image or too big.
    """
    if not files:
        raise PhotoError("请选择要上传的照片")
    prepared = {}
    for name, data in files:
        upload = prepare(name, data, config)
        prepared.setdefault(upload.content_hash, upload)
    return list(prepared.values())


def check_open(report, config, past_cutoff):
    """PhotoError (409) unless photos can still be added to ``report``: before its week's cut-off, or reopened.

    ``past_cutoff``: the user may file a locked week (the office), and so add its photos.
    """
    if not past_cutoff and is_locked(report.week, config, report):
        raise PhotoError(f"{report.week} 的周报已过截止时间并锁定，不能再添加照片", 409)


def attach_photos(report, uploads, user, config, actor=None):
    """Attach ``uploads`` (of read_uploads) to ``report``; return [(photo, duplicate)], one per upload.

    A photo already attached to the report (the same bytes) is not stored again: it comes back
    with ``duplicate`` true. Raises PhotoError, storing nothing, when the report would hold more
    than ``[photos] max_per_report``. The caller has checked that ``user`` may report for the
    project; the audit log records each photo added (``photo_added``) as done by ``actor``
    (default: ``user``).
    """
    stored = {p.content_hash: p for p in Photo.select().where(Photo.report == report)}
    new = [upload for upload in uploads if upload.content_hash not in stored]
    limit = config["photos"]["max_per_report"]
    if len(stored) + len(new) > limit:
        raise PhotoError(f"每份周报最多 {limit} 张照片：已有 {len(stored)} 张，本次新增 {len(new)} 张", 409)
    added = _store(report, new, user, config, actor or Actor(user.label, user.id))
    return [
        (added[u.content_hash], False) if u.content_hash in added else (stored[u.content_hash], True) for u in uploads
    ]


def photo_hint(config):
    """What the upload form tells the owner about the limits and the checks."""
    limits = config["photos"]
    return (
        f"{FORMAT_NAMES} 图片，每张不超过 {limits['max_mb']} MB，每份周报最多 {limits['max_per_report']} 张；"
        f"拍摄时间不在本周、或拍摄地点距项目超过 {limits['max_distance_km']:g} 公里的照片会被标记。"
    )


def attached_message(attached):
    """(message, category) of a flash saying what was attached, and what the checks found off."""
    added = [photo for photo, duplicate in attached if not duplicate]
    parts = [f"已上传 {len(added)} 张现场照片"]
    if len(added) < len(attached):
        parts.append(f"{len(attached) - len(added)} 张此前已上传，未重复保存")
    flags = [flag["message"] for photo in added for flag in photo.flags]
    if flags:
        parts.append("请核对：" + "；".join(flags))
    return "，".join(parts), "warning" if flags else "success"


def _store(report, uploads, user, config, actor):
    """Write the files and rows of ``uploads`` in one go: {content hash: photo}."""
    directory = Path(config["photos"]["directory"])
    written, added = [], {}
    try:
        with db.atomic():
            for upload in uploads:
                paths = _paths(upload)
                for relative, data in zip(paths, (upload.data, upload.thumbnail, upload.public), strict=True):
                    _write(directory / relative, data, written)
                photo = added[upload.content_hash] = _row(report, upload, paths, user, config)
                record(
                    "photo_added",
                    actor,
                    project=report.project.code,
                    week=report.week,
                    photo=photo.id,
                    flags=[flag["code"] for flag in photo.flags],
                )
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return added


def _paths(upload):
    """Where an upload's files go, relative to the directory: by content, two levels, as git keeps objects."""
    stem = f"{upload.content_hash[:2]}/{upload.content_hash}"
    return f"originals/{stem}.{upload.extension}", f"thumbnails/{stem}.jpg", f"public/{stem}.jpg"


def _write(path, data, written):
    """Write ``data`` to ``path`` unless another report's identical photo put it there already."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(data)
    partial.replace(path)
    written.append(path)


def _row(report, upload, paths, user, config):
    distance, flags = judge(upload.taken_at, upload.place, report.week, report.project, config)
    latitude, longitude = upload.place or (None, None)
    return Photo.create(
        report=report,
        content_hash=upload.content_hash,
        original_path=paths[0],
        thumbnail_path=paths[1],
        public_path=paths[2],
        size=len(upload.data),
        taken_at=upload.taken_at,
        latitude=latitude,
        longitude=longitude,
        distance_km=None if distance is None else round(distance, 3),
        flags_json=json.dumps(flags, ensure_ascii=False),
        uploaded_by=user,
    )


def photo_file(photo, kind, config):
    """The path of a photo's ``original``, ``thumbnail`` or ``public`` file."""
    return Path(config["photos"]["directory"]) / getattr(photo, f"{kind}_path")
