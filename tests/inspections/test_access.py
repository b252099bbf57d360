"""Who sees and does what in 督查: the inspector and the office manage, the leader reads, the departments and
counties see published bulletins (and the findings through the ledger), the owner published bulletins only."""

import pytest
from conftest import csrf_token
from inspected import inspection as inspection  # noqa: F401 (the fixture, by its name)

from tracker.accounts.models import User
from tracker.inspections.bulletins import draft_bulletin, publish_bulletin
from tracker.inspections.rounds import add_finding, add_group, add_visit, create_round
from tracker.projects.models import Project

READ = {"office": 200, "inspector": 200, "leader": 200, "department": 403, "east": 403, "owner": 403}


@pytest.fixture
def bulletins(conn, config, inspection, make_user, make_project):
    """The round's bulletin published, and a second round's still a draft; the key project's owner (its phone)."""
    office = User.get(User.username == "office")
    published = publish_bulletin(
        draft_bulletin(inspection["round"], config, office), office, config, inspection["round"].ends_on
    )
    other = create_round("第二轮督查", "", inspection["round"].starts_on, inspection["round"].ends_on, office)
    visit = add_visit(add_group(other, "督查组", "钱进", ""), "北城区财政局", "北城区", other.starts_on, ["查阅资料"])
    add_finding(visit, "资金拨付滞后", "市财政局", other.ends_on.replace(year=other.ends_on.year + 1), office)
    draft = draft_bulletin(other, config, office)
    return {"published": published, "draft": draft, "owner": Project.get(Project.code == "XM-P").responsible_phone}


def who(user, bulletins):
    return bulletins["owner"] if user == "owner" else user


@pytest.mark.parametrize("user", READ)
@pytest.mark.parametrize("path", ["/inspections/", "/inspections/{round}"])
def test_the_rounds_are_read_by_the_office_the_inspector_and_leaders(client, login, inspection, bulletins, user, path):
    login(who(user, bulletins))
    assert client.get(path.format(round=inspection["round"].id)).status_code == READ[user]


@pytest.mark.parametrize("user", READ)
def test_every_reader_sees_published_bulletins_and_only_managers_the_drafts(client, login, bulletins, user):
    login(who(user, bulletins))
    assert client.get(f"/inspections/bulletins/{bulletins['published'].id}").status_code == 200
    assert client.get(f"/inspections/bulletins/{bulletins['published'].id}.docx").status_code == 200
    draft = client.get(f"/inspections/bulletins/{bulletins['draft'].id}").status_code
    assert draft == (200 if user in ("office", "inspector") else 404)
    listed = client.get("/inspections/bulletins/").get_data(as_text=True)
    assert bulletins["published"].number in listed
    assert (f'data-bulletin="{bulletins["draft"].id}"' in listed) is (user in ("office", "inspector"))


def test_a_draft_has_no_public_page_a_published_bulletin_has(client, bulletins):
    assert client.get(f"/public/inspections/{bulletins['draft'].id}").status_code == 404
    assert client.get(f"/public/inspections/{bulletins['draft'].id}.docx").status_code == 404
    assert client.get(f"/public/inspections/{bulletins['published'].id}").status_code == 200


@pytest.mark.parametrize(
    ("user", "status"), [("office", 302), ("inspector", 302), ("leader", 403), ("department", 403), ("east", 403)]
)
@pytest.mark.parametrize("path", ["/inspections/new", "/inspections/{round}/groups", "/inspections/{round}/bulletin"])
def test_only_the_inspector_and_the_office_manage_rounds(client, login, inspection, user, status, path):
    login(user)
    token = csrf_token(client.get("/problems/").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "title": "督查",
        "starts_on": "2026-01-05",
        "ends_on": "2026-01-09",
        "name": "第九组",
        "leader": "吴",
    }
    answer = client.post(path.format(round=inspection["round"].id), data=data)
    assert answer.status_code == status


def test_the_nav_leads_readers_to_the_rounds_and_the_others_to_the_bulletins(client, login, bulletins):
    login("leader")
    assert 'href="/inspections/"' in client.get("/problems/").get_data(as_text=True)
    login(bulletins["owner"])
    page = client.get("/problems/").get_data(as_text=True)
    assert 'href="/inspections/bulletins/"' in page and 'href="/inspections/"' not in page
