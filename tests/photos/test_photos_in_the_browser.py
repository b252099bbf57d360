"""An owner on a phone takes a photo with the report form and sees it flagged (Chromium at 375 px)."""

import datetime as dt

import pytest
import test_browser
from pictures import SITE, camera_photo, north_of
from playwright.sync_api import expect

from tracker.core.config import DEFAULTS
from tracker.core.db import db
from tracker.core.weeks import week_monday
from tracker.projects.models import Project
from tracker.reports.filing import current_week

pytestmark = pytest.mark.browser

server, city, phone = test_browser.server, test_browser.city, test_browser.phone
ARTIFACTS = test_browser.ARTIFACTS


def test_an_owner_uploads_a_photo_with_the_report_and_sees_it_flagged(server, city, phone):
    with db.connection_context():
        Project.update(latitude=SITE[0], longitude=SITE[1]).where(Project.code == city["code"]).execute()
    week = current_week(DEFAULTS)
    taken = dt.datetime.combine(week_monday(week), dt.time(8, 0))
    photo = camera_photo(taken, north_of(SITE, 20), size=(1200, 900), orientation=6)

    test_browser.log_in(phone, server, city["owner"])
    phone.wait_for_url(f"{server}/reports/")
    phone.goto(f"{server}/projects/{city['code']}/report")
    phone.select_option("#status", label="已开工")
    phone.fill("#investment_completed", "800")
    phone.fill("#physical_progress", "场地平整完成，桩基施工中")
    phone.set_input_files("#photos", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}])
    phone.click("text=提交周报")

    expect(phone.locator(".flash-warning")).to_contain_text("距项目 20.0 公里，超过 3 公里")
    flag = phone.locator('#photos .photo-flag[data-flag="too_far"]')
    expect(flag).to_have_text("距项目 20.0 公里，超过 3 公里")
    # The thumbnail loaded, upright: a sideways 1200 × 900 shot with orientation 6 is a portrait.
    size = phone.locator("#photos img").evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert size[0] and size[1] < size[2] <= 320
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "report-photos-375.png", full_page=True)

    phone.goto(f"{server}/projects/{city['code']}")
    expect(phone.locator('#reports .photo-flag[data-flag="too_far"]')).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path=ARTIFACTS / "project-photos-375.png", full_page=True)


def test_the_report_and_project_pages_with_photos_fit_an_office_screen(server, city):
    """The same pages at 1366 px, after the owner's upload of the phone test, for a look."""
    with db.connection_context():
        Project.update(latitude=SITE[0], longitude=SITE[1]).where(Project.code == city["code"]).execute()
    week = current_week(DEFAULTS)
    photo = camera_photo(dt.datetime.combine(week_monday(week), dt.time(9, 0)) - dt.timedelta(days=9), SITE)
    with test_browser.browser_page(1366, 900) as page:
        test_browser.log_in(page, server, city["owner"])
        page.goto(f"{server}/projects/{city['code']}/report")
        page.fill("#investment_completed", "800")
        page.fill("#physical_progress", "场地平整完成")
        page.set_input_files("#photos", files=[{"name": "old.jpg", "mimeType": "image/jpeg", "buffer": photo}])
        page.click("text=提交周报")
        expect(page.locator('.photo-flag[data-flag="outside_week"]')).to_contain_text("早于本周 9 天")
        page.screenshot(path=ARTIFACTS / "report-photos-1366.png", full_page=True)
        page.goto(f"{server}/projects/{city['code']}")
        expect(page.locator('#reports .photo-flag[data-flag="outside_week"]')).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        page.screenshot(path=ARTIFACTS / "project-photos-1366.png", full_page=True)
