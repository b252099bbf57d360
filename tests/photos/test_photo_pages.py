"""Photos on the pages: attached with the report form or to a filed report, shown with their flags, served by access."""

import datetime as dt
import io
import re

import pytest
from conftest import csrf_token
from pictures import SITE, WEEK, camera_photo, north_of
from PIL import ExifTags, Image
from reporting import file

from tracker.accounts.models import AccountCounty, User
from tracker.core.db import db
from tracker.core.weeks import local_now, week_monday
from tracker.notices.models import CriticismNotice, NoticeEntry
from tracker.photos.attaching import attach_photos, read_uploads
from tracker.photos.models import Photo
from tracker.projects.models import FUNDING_SOURCES, MILESTONES, ProgressReport
from tracker.reports.filing import current_week


@pytest.fixture
def week(config):
    return current_week(config)


@pytest.fixture
def today_photo(config, week):
    """Taken on site at noon of the current week's Monday, city time."""
    return dt.datetime.combine(week_monday(week), dt.time(12, 0))


@pytest.fixture
def owner(site_project, login):
    return login(site_project.responsible_phone)


def report_form(**changes):
    data = {"status": "started", "investment_completed": "1500", "physical_progress": "基础施工完成 30%"}
    data.update({f"funds-{source}": "" for source in FUNDING_SOURCES})
    data.update({f"milestones-{kind}": "" for kind in MILESTONES})
    return {**data, **changes}


def send(client, path, data, photos):
    """POST a multipart form with the session's CSRF token and ``photos`` as [(name, bytes)]."""
    token = csrf_token(client.get("/login").get_data(as_text=True))
    files = [(io.BytesIO(content), name) for name, content in photos]
    return client.post(path, data={**data, "csrf_token": token, "photos": files}, content_type="multipart/form-data")


def flags_on(html):
    return re.findall(r'<span class="photo-flag" data-flag="([a-z_]+)">([^<]*)</span>', html)


def test_the_report_form_opens_the_phones_camera(owner, site_project):
    html = owner.get(f"/projects/{site_project.code}/report").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    field = re.search(r'<input[^>]*name="photos"[^>]*>', html).group(0)
    assert 'accept="image/*"' in field and 'capture="environment"' in field and "multiple" in field


def test_an_owner_files_the_report_with_a_photo_taken_far_away_and_sees_it_flagged(
    owner, site_project, week, today_photo
):
    photo = camera_photo(today_photo, north_of(SITE, 12.4))
    response = send(owner, f"/projects/{site_project.code}/report", report_form(), [("site.jpg", photo)])
    assert response.status_code == 302 and response.location.endswith(f"/report/{week}#photos")
    html = owner.get(response.location).get_data(as_text=True)
    assert "已上传 1 张现场照片，请核对：距项目 12.4 公里，超过 3 公里" in html
    assert flags_on(html) == [("too_far", "距项目 12.4 公里，超过 3 公里")]
    with db.connection_context():
        assert ProgressReport.get(project=site_project.id, week=week).photos.count() == 1


def test_a_bad_file_refuses_the_whole_form_and_stores_nothing(owner, site_project, week, stored_files):
    response = send(owner, f"/projects/{site_project.code}/report", report_form(), [("合同.pdf", b"%PDF-1.4 ...")])
    assert response.status_code == 422
    assert "合同.pdf 不是图片，只能上传 JPEG、PNG、WebP 图片" in response.get_data(as_text=True)
    with db.connection_context():
        assert ProgressReport.select().count() == 0 and Photo.select().count() == 0
    assert stored_files() == []


def test_photos_are_added_to_a_filed_report_without_filing_it_again(owner, config, site_project, week, today_photo):
    with db.connection_context():
        filed = file(config, site_project, week, now=local_now(config["city"]["timezone"]).replace(tzinfo=None))
    path = f"/projects/{site_project.code}/report/{week}"
    response = send(
        owner, f"{path}/photos", {}, [("a.jpg", camera_photo(today_photo, SITE)), ("b.jpg", camera_photo())]
    )
    assert response.status_code == 302
    html = owner.get(path).get_data(as_text=True)
    assert "已上传 2 张现场照片，请核对：照片没有拍摄时间（EXIF）" in html
    assert [code for code, _ in flags_on(html)] == ["no_time", "no_place"]
    with db.connection_context():
        assert ProgressReport.get_by_id(filed.id).version == filed.version


def test_a_report_past_its_cutoff_takes_no_more_photos_from_its_owner(owner, report, site_project):
    response = send(owner, f"/projects/{site_project.code}/report/{WEEK}/photos", {}, [("a.jpg", camera_photo())])
    html = owner.get(response.location).get_data(as_text=True)
    assert f"{WEEK} 的周报已过截止时间并锁定，不能再添加照片" in html
    with db.connection_context():
        assert Photo.select().count() == 0


@pytest.fixture
def photo(config, report):
    """A photo of the project's WEEK report, taken three weeks before it."""

    data = camera_photo(dt.datetime(2026, 10, 12, 9, 0), SITE)
    with db.connection_context():
        uploads = read_uploads([("old.jpg", data)], config)
        return attach_photos(report, uploads, User.get(username="office"), config)[0][0]


@pytest.mark.parametrize(
    ("role", "county", "seen"),
    [
        ("owner", None, True),
        ("stranger", None, False),
        ("office", None, True),
        ("leader", None, True),
        ("inspector", None, True),
        ("department", None, True),
        ("county", "东城区", True),
        ("county", "西城区", False),
    ],
)
def test_a_photo_is_served_to_those_who_may_see_its_project(
    client, login, make_user, make_project, site_project, photo, role, county, seen
):
    if role == "owner":
        username = site_project.responsible_phone
    elif role == "stranger":
        username = make_project(responsible_phone="13911112222").responsible_phone
    else:
        user = make_user(f"{role}-1", role, department="市发展改革委" if role == "department" else "")
        username = user.username
        if county:
            with db.connection_context():
                AccountCounty.set_counties(user, [county])
    login(username)
    for path in (f"/photos/{photo.id}", f"/photos/{photo.id}/thumbnail"):
        response = client.get(path)
        response.close()
        assert response.status_code == (200 if seen else 403)
        if seen:
            assert response.mimetype == "image/jpeg" and response.cache_control.private


def test_a_photo_is_not_served_without_login(client, photo):
    assert client.get(f"/photos/{photo.id}").status_code == 302


def test_the_project_page_shows_each_reports_photos_with_their_flags(office_session, site_project, photo):
    html = office_session.get(f"/projects/{site_project.code}").get_data(as_text=True)
    row = re.search(rf'<tr data-week="{WEEK}">.*?</tr>', html, re.S).group(0)
    assert f'href="/photos/{photo.id}"' in row and f'src="/photos/{photo.id}/thumbnail"' in row
    assert flags_on(row) == [("outside_week", "拍摄于 2026-10-12，早于本周 21 天")]


def test_a_listed_projects_public_page_shows_its_photos_without_any_exif(app, client, config, site_project, photo):
    assert client.get(f"/public/projects/{site_project.code}").status_code == 404
    assert client.get(f"/public/photos/{photo.id}/public.jpg").status_code == 404
    with db.connection_context():
        day = local_now(config["city"]["timezone"]).date()
        notice = CriticismNotice.create(
            title="通报", as_of=day, week=WEEK, state="published", published_on=day, number="X重项办〔2026〕1号"
        )
        values = {name: getattr(site_project, name) for name in ("code", "name", "project_unit", "county")}
        NoticeEntry.create(
            notice=notice,
            project=site_project,
            position=1,
            lead_official="王建国",
            lead_department="市发展改革委",
            reasons_data="[]",
            **values,
        )
    html = client.get(f"/public/projects/{site_project.code}").get_data(as_text=True)
    assert f'src="/public/photos/{photo.id}/thumbnail.jpg"' in html and "photo-flag" not in html
    for kind in ("public", "thumbnail"):
        response = client.get(f"/public/photos/{photo.id}/{kind}.jpg")
        data = response.get_data()
        response.close()
        assert response.status_code == 200 and response.cache_control.public
        with Image.open(io.BytesIO(data)) as image:
            assert dict(image.getexif()) == {} and dict(image.getexif().get_ifd(ExifTags.IFD.GPSInfo)) == {}
