"""Letters and visits (来信来访): registered and transferred, answered, 催办, closed, re-checked (回头看);
the seed's counts for any day stay the same whatever happens to the letters later."""

import datetime as dt

import pytest
from letters_city import NDRC, letter_values

from tracker.accounts.models import User
from tracker.letters.handling import (
    LetterError,
    close_letter,
    register_letter,
    remind_letter,
    reopen_letter,
    reply_to_letter,
    transfer_letter,
)
from tracker.letters.models import LetterEvent, letter_counts

DAY = dt.datetime(2026, 11, 2, 2, 0)


def user(role):
    return User.get_or_create(username=role, defaults={"role": role})[0]


def register(unit=NDRC, **changes):
    values = letter_values(unit, received_on=DAY.date(), transferred_on=DAY.date(), **changes)
    return register_letter(values, user("office"), 15, DAY.date(), now=DAY)


def test_a_letter_is_due_the_configured_days_after_its_transfer_unless_given_a_deadline(conn):
    assert register().deadline == dt.date(2026, 11, 17)
    assert register(deadline=dt.date(2026, 11, 10)).deadline == dt.date(2026, 11, 10)


def test_a_letter_goes_to_a_listed_department_or_county_only(conn):
    with pytest.raises(LetterError, match="部门名单或县区名单"):
        register(unit="不存在的局")
    assert register(unit="东城区").unit_kind == "county"


def test_the_counts_of_a_past_day_stay_the_same_when_letters_move_on(conn):
    provincial = register(level="provincial")
    register(level="provincial")
    register(level="local")
    nov_20 = dt.date(2026, 11, 20)
    before = letter_counts(nov_20)
    assert before == {
        "total": 3,
        "by_level": {"provincial": 2, "city": 0, "local": 1},
        "closed": 0,
        "overdue": 3,
    }
    reply_to_letter(provincial, user("department"), "已整改", dt.date(2026, 11, 25), now=dt.datetime(2026, 11, 25, 2))
    close_letter(provincial, user("inspector"), now=dt.datetime(2026, 11, 26, 2))
    assert letter_counts(nov_20) == before
    after = letter_counts(dt.date(2026, 11, 27))
    assert (after["closed"], after["overdue"]) == (1, 2)
    assert letter_counts(dt.date(2026, 11, 1))["total"] == 0


def test_a_replied_letter_is_not_overdue_and_only_a_replied_one_is_closed(conn):
    letter = register()
    with pytest.raises(LetterError, match="只有已答复"):
        close_letter(letter, user("inspector"))
    reply_to_letter(letter, user("department"), "已答复信访人", dt.date(2026, 11, 7), now=DAY + dt.timedelta(days=5))
    assert not letter.overdue_on(dt.date(2026, 12, 1))
    with pytest.raises(LetterError):
        reply_to_letter(letter, user("department"), "再次答复", dt.date(2026, 11, 8))


def test_a_reminder_is_only_for_an_overdue_letter_and_is_on_record(conn):
    letter = register()
    with pytest.raises(LetterError, match="无需催办"):
        remind_letter(letter, user("inspector"), dt.date(2026, 11, 17))
    remind_letter(letter, user("inspector"), dt.date(2026, 11, 20), now=DAY + dt.timedelta(days=18))
    assert [e.kind for e in LetterEvent.of(letter)] == ["registered", "reminder"]


def test_the_inspector_reopens_a_closed_letter_with_a_reason_and_it_counts_as_open_again(conn):
    letter = register()
    reply_to_letter(letter, user("department"), "已处理", dt.date(2026, 11, 5), now=DAY + dt.timedelta(days=3))
    close_letter(letter, user("inspector"), now=DAY + dt.timedelta(days=4))
    with pytest.raises(LetterError, match="理由"):
        reopen_letter(letter, user("inspector"), " ", dt.date(2026, 12, 20), dt.date(2026, 11, 12))
    reopen_letter(
        letter,
        user("inspector"),
        "回访信访人反映问题仍未解决",
        dt.date(2026, 12, 1),
        dt.date(2026, 11, 12),
        now=DAY + dt.timedelta(days=10),
    )
    assert letter.status == "transferred" and letter.deadline == dt.date(2026, 12, 1)
    assert letter_counts(dt.date(2026, 11, 8))["closed"] == 1  # closed on 6 November, as it was then
    assert letter_counts(dt.date(2026, 11, 13))["closed"] == 0
    assert letter_counts(dt.date(2026, 12, 2))["overdue"] == 1


def test_the_office_transfers_an_unanswered_letter_to_another_unit(conn):
    letter = register()
    transfer_letter(letter, user("office"), "市住建局", "", None, now=DAY + dt.timedelta(days=1))
    assert (letter.unit, letter.unit_kind, letter.person_in_charge) == ("市住建局", "department", "张专干")
    assert LetterEvent.of(letter)[-1].unit == "市住建局"
