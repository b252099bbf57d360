"""现场照片 over the API: attaching photos to a report from a script or an app, listing and fetching them."""

import io

import pytest
from pictures import MONDAY, SITE, WEEK, camera_photo, north_of
from PIL import Image

from tracker.accounts.models import User
from tracker.core.db import db
from tracker.photos.models import Photo

PATH = "/projects/{code}/reports/{week}/photos"


@pytest.fixture
def owner_token(token_for, site_project):
    with db.connection_context():
        return token_for(User.get(username=site_project.responsible_phone))


@pytest.fixture
def office(report, token_for):
    """The office's token; the office may add photos to a week past its cut-off, as it may file it."""
    with db.connection_context():
        return token_for(User.get(username="office"))


def upload(call, token, code, *photos, week=WEEK):
    files = [(io.BytesIO(data), name) for name, data in photos]
    return call(
        token, "POST", PATH.format(code=code, week=week), data={"photo": files}, content_type="multipart/form-data"
    )


def test_photos_posted_come_back_with_their_time_place_distance_and_flags(call, office, site_project):
    far = camera_photo(MONDAY.replace(hour=9), north_of(SITE, 12.4))
    response = upload(call, office, site_project.code, ("far.jpg", far), ("plain.jpg", camera_photo()))
    assert response.status_code == 201
    first, second = response.get_json()
    assert first["taken_at"] == "2026-11-02T09:00:00+08:00" and first["week"] == WEEK
    assert first["latitude"] == pytest.approx(north_of(SITE, 12.4)[0], abs=1e-6)
    assert first["distance_km"] == pytest.approx(12.4, abs=0.001)
    assert first["flags"] == [{"code": "too_far", "message": "距项目 12.4 公里，超过 3 公里"}]
    assert [flag["code"] for flag in second["flags"]] == ["no_time", "no_place"] and second["taken_at"] is None
    listed = call(office, "GET", PATH.format(code=site_project.code, week=WEEK)).get_json()
    assert [p["id"] for p in listed] == [first["id"], second["id"]]
    thumbnail = call(office, "GET", first["thumbnail_url"].removeprefix("/api/v1"))
    with Image.open(io.BytesIO(thumbnail.get_data())) as image:
        assert image.format == "JPEG" and max(image.size) <= 320
    thumbnail.close()


def test_the_same_photo_posted_again_is_returned_as_a_duplicate_and_not_stored(call, office, site_project):
    data = camera_photo(MONDAY, SITE)
    first = upload(call, office, site_project.code, ("a.jpg", data)).get_json()
    again = upload(call, office, site_project.code, ("a.jpg", data))
    assert again.status_code == 201
    assert again.get_json()[0]["id"] == first[0]["id"] and again.get_json()[0]["duplicate"] is True
    with db.connection_context():
        assert Photo.select().count() == 1


@pytest.mark.parametrize(
    ("photos", "status", "message"),
    [
        ([("a.txt", b"hello")], 422, "a.txt 不是图片，只能上传 JPEG、PNG、WebP 图片"),
        (
            [("ok.jpg", camera_photo()), ("bad.jpg", b"\xff\xd8\xff\xe0 broken")],
            422,
            "bad.jpg 已损坏或不完整，无法读取",
        ),
        ([], 400, "请用 multipart/form-data 上传一张或多张照片（字段名 photo）"),
    ],
    ids=["not-an-image", "one-bad-of-two", "no-file"],
)
def test_a_bad_upload_is_refused_in_json_and_nothing_is_stored(
    call, office, site_project, stored_files, photos, status, message
):
    response = upload(call, office, site_project.code, *photos)
    assert response.status_code == status
    assert response.get_json()["error"]["message"] == message
    with db.connection_context():
        assert Photo.select().count() == 0
    assert stored_files() == []


def test_photos_of_a_week_without_a_report_are_404(call, office, site_project):
    response = upload(call, office, site_project.code, ("a.jpg", camera_photo()), week="2026-W44")
    assert response.status_code == 404 and "没有 2026-W44 的周报" in response.get_json()["error"]["message"]


def test_an_owner_cannot_add_photos_to_a_week_past_its_cutoff(call, owner_token, report, site_project):
    response = upload(call, owner_token, site_project.code, ("a.jpg", camera_photo()))
    assert response.status_code == 409


def test_another_owner_may_neither_add_nor_see_the_photos(call, office, make_project, token_for, site_project):
    photo_id = upload(call, office, site_project.code, ("a.jpg", camera_photo())).get_json()[0]["id"]
    other = make_project(responsible_phone="13911112222")
    with db.connection_context():
        stranger = token_for(User.get(username=other.responsible_phone))
    assert upload(call, stranger, site_project.code, ("b.jpg", camera_photo(MONDAY))).status_code == 403
    assert call(stranger, "GET", PATH.format(code=site_project.code, week=WEEK)).status_code == 403
    assert call(stranger, "GET", f"/photos/{photo_id}/original").status_code == 403
    with db.connection_context():
        assert Photo.select().count() == 1
