"""Money in 万元 as people read it (4.7亿元), and percentages as the reports print them (54.3)."""


def money(amount):
    """万元 with thousands separators; 亿元 from 10,000 万元 up (47,000 -> 4.7亿元)."""
    if amount is None:
        return "—"
    if abs(amount) >= 10_000:
        return f"{amount / 10_000:,.2f}".rstrip("0").rstrip(".") + "亿元"
    return f"{amount:,}万元"


def percent(numerator, denominator):
    """A percentage rounded to one decimal, as the reports print it (54.3)."""
    return round(100 * numerator / denominator, 1) if denominator else 0.0
