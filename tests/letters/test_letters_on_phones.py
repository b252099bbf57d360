"""The letters' ledger and a letter's page in a real browser, on a phone (375 px) and an office screen (1366 px),
as the department that answers and the inspector that follows up; screenshots in test-artifacts/letters/."""

import pytest
import test_browser
from conftest import PASSWORD_HASH
from test_pages_on_phones import problems_on

from tracker.accounts.models import User
from tracker.core.config import load_config
from tracker.core.db import db
from tracker.demo.loading import load_demo_city
from tracker.letters.models import Letter

pytestmark = pytest.mark.browser
server = test_browser.server  # the app, served for real


@pytest.fixture
def demo(server, tmp_path):
    """The demo city at 20 projects, with its fifteen letters; an overdue one of the demo department's."""
    config = load_config(overrides={"photos": {"directory": str(tmp_path / "photos")}})
    with db.connection_context():
        load_demo_city(config, count=20, weeks=4)
        User.update(password_hash=PASSWORD_HASH).execute()
        department = User.get(username="department").department
        mine = Letter.select().where((Letter.unit == department) & (Letter.status == "transferred"))
        return mine.order_by(Letter.deadline).first()


@pytest.mark.parametrize("width", [375, 1366])
@pytest.mark.parametrize("role", ["department", "inspector"])
def test_the_ledger_and_a_letter_read_on_a_phone_and_a_screen(server, demo, role, width):
    shots = test_browser.ARTIFACTS / "letters"
    shots.mkdir(parents=True, exist_ok=True)
    found = {}
    with test_browser.browser_page(width) as page:
        test_browser.log_in(page, server, role)
        for name, path in (("ledger", "/letters/"), ("letter", f"/letters/{demo.id}")):
            assert page.goto(f"{server}{path}").status == 200
            page.screenshot(path=shots / f"{role}-{name}-{width}.png", full_page=True)
            if problems := problems_on(page):
                found[path] = problems
        text = page.inner_text("main")
        # The unit answers on the page; the inspector sees who wrote, the unit never does.
        assert ("提交答复" in text) is (role == "department")
        assert (demo.complainant_phone in text) is (role == "inspector")
    assert not found, found
