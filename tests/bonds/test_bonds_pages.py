"""The special-bond pages on a phone (375 px) and an office screen (1366 px), with the demo city's 83 projects."""

import pytest
import test_browser
from conftest import PASSWORD_HASH
from test_pages_on_phones import problems_on

from tracker.accounts.models import User
from tracker.bonds.models import BondBatch, BondEntry
from tracker.core.config import load_config
from tracker.core.db import db
from tracker.demo.loading import load_demo_city

pytestmark = pytest.mark.browser
server = test_browser.server  # the app, served for real


@pytest.fixture
def pages(server, tmp_path):
    """The overview, the first batch (and its idle projects), an idle project's page and its bond entry."""
    config = load_config(overrides={"photos": {"directory": str(tmp_path / "photos")}})
    with db.connection_context():
        load_demo_city(config)
        User.update(password_hash=PASSWORD_HASH).execute()
        first = BondBatch.get(BondBatch.number == 1)
        idle = BondEntry.select().where(BondEntry.batch == first).order_by(BondEntry.id)[6]
        return ["/bonds/", f"/bonds/{first.id}", f"/bonds/{first.id}?idle=1", f"/projects/{idle.project.code}"]


@pytest.mark.parametrize("width", [375, 1366])
def test_the_bond_pages_read_without_a_sideways_scroll(server, pages, width):
    shots = test_browser.ARTIFACTS / "bonds"
    shots.mkdir(parents=True, exist_ok=True)
    with test_browser.browser_page(width) as page:
        test_browser.log_in(page, server, "office")
        found = {}
        for n, path in enumerate(pages):
            assert page.goto(f"{server}{path}").status == 200, path
            page.screenshot(path=shots / f"bonds-{n}-{width}.png", full_page=True)
            if problems := problems_on(page):
                found[path] = problems
        page.goto(f"{server}{pages[2]}")
        assert page.locator("#entries tr.overdue").count() == 4  # the demo's idle projects
        page.goto(f"{server}{pages[3]}")
        assert "资金闲置" in page.locator("#bonds").inner_text()
        page.locator("#bonds").screenshot(path=shots / f"bonds-project-card-{width}.png")
    assert found == {}
