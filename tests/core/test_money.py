"""Money as people read it (11.39亿元), and exact to the cent however many amounts a database adds up."""

import json
import sqlite3
from decimal import Decimal

import pytest

from tracker.core.money import json_number, money, percent, to_money


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("113934.98"), "11.39亿元"),
        (Decimal("47000.00"), "4.7亿元"),
        (Decimal("1234.50"), "1,234.5万元"),
        (Decimal("500.00"), "500万元"),
        (Decimal("0.35"), "0.35万元"),
        (Decimal("-1234.5"), "-1,234.5万元"),
        (500, "500万元"),
        (None, "—"),
    ],
)
def test_an_amount_prints_in_wan_or_yi_with_at_most_two_decimals(amount, shown):
    assert money(amount) == shown


def test_a_float_is_refused_where_an_amount_is_printed():
    with pytest.raises(TypeError):
        money(0.1 + 0.2)


def test_a_percentage_is_a_float_with_one_decimal():
    assert percent(69, 127) == 54.3
    assert percent(Decimal("0.30"), Decimal("0.90")) == 33.3
    assert percent(1, 0) == 0.0


@pytest.mark.parametrize("amount", ["113934.98", "0.01", "9999999999999.99", "1000000000.10"])
def test_an_amount_is_a_json_number_that_reads_back_exactly(amount):
    text = json.dumps(json_number(Decimal(amount)))
    assert Decimal(text) == Decimal(amount) and len(text.partition(".")[2]) <= 2


def test_sqlite_sums_a_province_of_reports_exactly_to_the_cent():
    """10,000 projects × 260 weeks of funds, one source: 2.6 million amounts summed as doubles.

    Each amount goes in as peewee writes a Decimal (text, stored REAL by the column's
    affinity); to_money, as MoneyField reads the SUM, gives back the exact total.
    """
    count = 10_000 * 260
    database = sqlite3.connect(":memory:")
    # From 0.00 to 999.99 万元 a week, every ending of the cents met: 1.3·10⁹ 万元 in all.
    amount = "printf('%d.%02d', (i * 7919) % 1000, (i * 104729) % 100)"
    (total,) = database.execute(
        f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "
        f"SELECT SUM(CAST({amount} AS REAL)) FROM n"
    ).fetchone()
    cents = sum((i * 7919) % 1000 * 100 + (i * 104729) % 100 for i in range(1, count + 1))
    assert isinstance(total, float)
    assert to_money(total) == Decimal(cents) / 100
