"""Money: exact Decimal 万元 with two places, as stored, summed and printed (4.7亿元); percentages as the reports print them (54.3)."""

from decimal import ROUND_HALF_UP, Decimal

from peewee import DecimalField, fn

CENT = Decimal("0.01")


CENTS_MESSAGE = "最多两位小数"


def to_money(value):
    """An amount as an exact Decimal 万元 to the cent, from what a database or a JSON number gives.

    PostgreSQL gives Decimals. SQLite stores a DECIMAL column as REAL (its NUMERIC
    affinity), so values and sums come back as floats: the shortest text of the float
    is the amount as written, and rounding to the cent takes off what sums add (see
    MoneyField).
    """
    if value is None:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyField(DecimalField):
    """A money column: NUMERIC(15,2) 万元, read back as exact Decimals on PostgreSQL and SQLite alike.

    On SQLite the values are IEEE doubles. One amount of at most 15 digits comes back
    exactly: a double holds 15 significant digits, so the float's shortest text is the
    amount as written. A SUM of n amounts adds at most (n − 1)·2⁻⁵³ of its running
    total in rounding errors (SQLite 3.40 adds doubles one by one), and to_money
    corrects any error under half a cent: 10,000 projects summed (the figures) stay
    exact up to a total of 4.5·10⁹ 万元, a project's 260 weeks of funds per source up to
    1.7·10¹¹ 万元; summing every report of 10,000 projects × 260 weeks for one source
    (2.6 million amounts) is exact up to 1.7·10⁷ 万元 for certain, and far beyond in
    practice: independent roundings grow with √n, not n (tests/core/test_money.py sums
    that many on SQLite and gets the cent exactly).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_digits=15, decimal_places=2, auto_round=True, rounding=ROUND_HALF_UP, **kwargs)

    def python_value(self, value):
        return to_money(value)


def money_sum(column):
    """SUM(column) of a money column, read back as an exact Decimal (None over no rows).

    peewee hands SUM's result over as the driver gives it (a float on SQLite), not
    through the column's converter, unless told to coerce it.
    """
    return fn.SUM(column).coerce(True).python_value(to_money)


def json_number(amount):
    """An amount as JSON writes it: a number, never a string (113934.98).

    A float of a Decimal of at most 15 significant digits (every money column's,
    NUMERIC(15,2)) prints as that Decimal: Python writes a float's shortest text that
    reads back as the same float, and a double tells every 15-digit decimal apart.
    """
    return float(amount)


def is_amount(value):
    """Whether ``value`` is a number of 万元 as parsed values hold them: an int or a finite Decimal, not a bool."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, Decimal) and value.is_finite())


def in_cents(amount):
    """Whether an amount (is_amount) has at most two decimals, as every money column stores it.

    Zeros after the cents do not count (1.230 is 1.23). Read from the digits: rounding
    would fail on a number too long for the decimal context, which a range check refuses after.
    """
    if not isinstance(amount, Decimal):
        return True
    _, digits, exponent = amount.as_tuple()
    return exponent >= -2 or not any(digits[len(digits) + exponent + 2 :])


def amount_text(amount):
    """An amount as plain text, its cents without trailing zeros: 1500, 1500.5, 10000.55.

    One text per amount, however it was typed or stored, so that comparing texts
    compares amounts (the change log) and a form shows the figure as a person writes it.
    """
    return f"{to_money(amount).normalize():f}"


def money(amount):
    """万元 with thousands separators and at most two decimals; 亿元 from 10,000 万元 up.

    113934.98 -> 11.39亿元, 47000 -> 4.7亿元, 1234.5 -> 1,234.5万元, 500 -> 500万元.
    ``amount`` is a Decimal or an int: a float would already have lost the cents.
    """
    if amount is None:
        return "—"
    if isinstance(amount, float):
        raise TypeError("money() takes a Decimal or an int, not a float")
    amount = Decimal(amount)
    if abs(amount) >= 10_000:
        return _two_places(amount / 10_000) + "亿元"
    return _two_places(amount) + "万元"


def _two_places(number):
    text = f"{number.quantize(CENT, rounding=ROUND_HALF_UP):,f}"
    return text.rstrip("0").rstrip(".")


def percent(numerator, denominator):
    """A percentage rounded to one decimal (halves up), as the reports print it (54.3); exact for Decimal amounts."""
    if not denominator:
        return 0.0
    share = 100 * Decimal(numerator) / Decimal(denominator)
    return float(share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
