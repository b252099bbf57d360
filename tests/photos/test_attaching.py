"""Attaching photos to a weekly report: what the EXIF says, what is flagged, what is refused and what is stored."""

import datetime as dt
import io

import pytest
from peewee import IntegrityError
from pictures import MONDAY, SITE, WEEK, camera_photo, north_of
from PIL import ExifTags, Image

from tracker.accounts.models import User
from tracker.audit.models import AuditEntry
from tracker.photos.attaching import PhotoError, attach_photos, photo_file, read_uploads
from tracker.photos.models import Photo
from tracker.projects.models import ProgressReport

ON_TIME = MONDAY + dt.timedelta(days=2, hours=10)


def attach(config, report, *files, config_changes=None):
    """Attach ``files`` (bytes, or (name, bytes)) as the office; [(photo, duplicate)]."""
    config = {**config, "photos": {**config["photos"], **(config_changes or {})}}
    named = [f if isinstance(f, tuple) else (f"photo{i}.jpg", f) for i, f in enumerate(files)]
    office = User.get(User.username == "office")
    return attach_photos(report, read_uploads(named, config), office, config)


def flags_of(config, report, data):
    ((photo, _),) = attach(config, report, data)
    return [(flag["code"], flag["message"]) for flag in photo.flags]


def test_a_photo_of_the_site_taken_in_the_week_is_stored_with_its_time_and_place_and_no_flag(conn, config, report):
    ((photo, duplicate),) = attach(config, report, camera_photo(ON_TIME, SITE))
    photo = Photo.get_by_id(photo.id)
    assert not duplicate and photo.flags == []
    # 10:00 in the city (UTC+8) is 02:00 UTC, as every timestamp is stored.
    assert photo.taken_at == dt.datetime(2026, 11, 4, 2, 0)
    assert photo.latitude == pytest.approx(SITE[0], abs=1e-6) and photo.longitude == pytest.approx(SITE[1], abs=1e-6)
    assert photo.distance_km == pytest.approx(0, abs=0.001)


@pytest.mark.parametrize(
    ("taken", "expected"),
    [
        (MONDAY, []),
        (MONDAY - dt.timedelta(seconds=1), [("outside_week", "拍摄于 2026-11-01，早于本周 1 天")]),
        (MONDAY + dt.timedelta(days=7, seconds=-1), []),
        (MONDAY + dt.timedelta(days=7), [("outside_week", "拍摄于 2026-11-09，晚于本周 1 天")]),
        (MONDAY - dt.timedelta(days=21), [("outside_week", "拍摄于 2026-10-12，早于本周 21 天")]),
    ],
    ids=["monday-00:00", "sunday-before-23:59:59", "sunday-23:59:59", "next-monday-00:00", "three-weeks-old"],
)
def test_a_photo_is_flagged_exactly_when_taken_outside_the_reports_week_in_local_time(
    conn, config, report, taken, expected
):
    assert flags_of(config, report, camera_photo(taken, SITE)) == expected


@pytest.mark.parametrize(
    ("km", "expected"),
    [
        (2.99, []),
        (3.01, [("too_far", "距项目 3.01 公里，超过 3 公里")]),
        (20, [("too_far", "距项目 20.0 公里，超过 3 公里")]),
    ],
)
def test_a_photo_is_flagged_exactly_when_taken_farther_from_the_project_than_the_limit(
    conn, config, report, km, expected
):
    ((photo, _),) = attach(config, report, camera_photo(ON_TIME, north_of(SITE, km)))
    assert [(flag["code"], flag["message"]) for flag in photo.flags] == expected
    assert photo.distance_km == pytest.approx(km, abs=0.001)


def test_a_photo_without_exif_is_flagged_for_both_time_and_place(conn, config, report):
    assert [code for code, _ in flags_of(config, report, camera_photo())] == ["no_time", "no_place"]


def test_a_project_without_coordinates_has_no_distance_to_flag(conn, config, make_project):
    from reporting import file

    report = file(config, make_project(), WEEK)
    ((photo, _),) = attach(config, report, camera_photo(ON_TIME, north_of(SITE, 50)))
    assert photo.distance_km is None and photo.flags == []


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_photos_are_read_like_jpegs(conn, config, report, fmt):
    assert flags_of(config, report, camera_photo(MONDAY - dt.timedelta(days=9), SITE, fmt=fmt)) == [
        ("outside_week", "拍摄于 2026-10-24，早于本周 9 天")
    ]


def test_thumbnail_and_public_copy_are_upright_and_carry_no_exif_while_the_original_keeps_it(conn, config, report):
    # 80 × 60 pixels stored sideways: orientation 6 says turn it a quarter for a 60 × 80 portrait.
    data = camera_photo(ON_TIME, SITE, size=(80, 60), orientation=6)
    ((photo, _),) = attach(config, report, data)
    assert photo_file(photo, "original", config).read_bytes() == data
    for kind in ("thumbnail", "public"):
        copy = photo_file(photo, kind, config).read_bytes()
        with Image.open(io.BytesIO(copy)) as image:
            assert image.format == "JPEG" and image.size == (60, 80)
            exif = image.getexif()
            assert dict(exif) == {} and dict(exif.get_ifd(ExifTags.IFD.GPSInfo)) == {}
            assert "exif" not in image.info and "xmp" not in image.info
        assert b"Exif\x00\x00" not in copy


def test_a_large_photo_gets_a_small_thumbnail(conn, config, report):
    ((photo, _),) = attach(config, report, camera_photo(ON_TIME, SITE, size=(2000, 1500)))
    with Image.open(photo_file(photo, "thumbnail", config)) as thumbnail:
        assert thumbnail.size == (320, 240)


def bomb():
    """A PNG of a few kilobytes claiming 100 million pixels."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.png", bomb(), "bomb.png 的像素过多，不能超过 64 百万像素"),
        ("report.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n", "report.pdf 不是图片，只能上传 JPEG、PNG、WebP 图片"),
        ("cut.jpg", camera_photo(ON_TIME, SITE, size=(400, 300))[:600], "cut.jpg 已损坏或不完整，无法读取"),
        ("empty.jpg", b"", "empty.jpg 是空文件"),
        ("iphone.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "iphone.heic 是 HEIC 格式，暂不支持"),
        ("scan.gif", camera_photo(ON_TIME, SITE, fmt="GIF"), "scan.gif 是 GIF 格式，只能上传 JPEG、PNG、WebP 图片"),
    ],
    ids=["bomb", "not-an-image", "truncated", "empty", "heic", "gif"],
)
def test_a_file_that_is_not_a_real_image_is_refused_and_nothing_of_its_batch_is_stored(
    conn, config, report, stored_files, name, data, message
):
    good = camera_photo(ON_TIME, SITE)
    with pytest.raises(PhotoError) as refused:
        attach(config, report, ("good.jpg", good), (name, data))
    assert str(refused.value).startswith(message)
    assert Photo.select().count() == 0 and stored_files() == []


def test_a_photo_over_the_size_limit_is_refused(conn, config, report, stored_files):
    # A real JPEG; what follows its end marker makes it big, as a camera's embedded previews do.
    data = camera_photo(ON_TIME, SITE) + bytes(2**20)
    with pytest.raises(PhotoError) as refused:
        attach(config, report, ("big.jpg", data), config_changes={"max_mb": 1})
    assert str(refused.value) == "big.jpg 超过 1 MB，请压缩后再上传" and refused.value.status == 413
    assert Photo.select().count() == 0 and stored_files() == []


def test_a_report_holds_at_most_the_configured_number_of_photos(conn, config, report):
    attach(config, report, *(camera_photo(ON_TIME, SITE, color=(30 * i, 0, 0)) for i in range(8)))
    with pytest.raises(PhotoError) as refused:
        attach(config, report, *(camera_photo(ON_TIME, SITE, color=(0, 30 * (i + 1), 0)) for i in range(2)))
    assert str(refused.value) == "每份周报最多 9 张照片：已有 8 张，本次新增 2 张" and refused.value.status == 409
    assert Photo.select().count() == 8
    attach(config, report, camera_photo(ON_TIME, SITE, color=(0, 0, 200)))
    assert Photo.select().count() == 9


def test_the_same_photo_sent_twice_is_stored_once(conn, config, report, stored_files):
    data = camera_photo(ON_TIME, SITE)
    ((first, _),) = attach(config, report, data, data)
    ((again, duplicate),) = attach(config, report, data)
    assert duplicate and again.id == first.id
    assert Photo.select().count() == 1 and len(stored_files()) == 3


def test_a_batch_whose_rows_cannot_be_written_leaves_no_file_behind(conn, config, report, site_project, stored_files):
    gone = ProgressReport(id=999_999, project=site_project, week=WEEK)
    with pytest.raises(IntegrityError):  # the database's foreign key: the report is not there
        attach(config, gone, camera_photo(ON_TIME, SITE))
    assert Photo.select().count() == 0 and stored_files() == []


def test_each_photo_added_is_in_the_audit_log_with_its_flags(conn, config, report, site_project):
    ((photo, _),) = attach(config, report, camera_photo(ON_TIME, north_of(SITE, 20)))
    entry = AuditEntry.select().where(AuditEntry.event == "photo_added").get()
    assert entry.details == {"project": site_project.code, "week": WEEK, "photo": photo.id, "flags": ["too_far"]}
