"""Ids and small numbers that come from a client or a URL (DESIGN §8).

One strict parser for all of them: ASCII digits only (``str.isdigit`` also accepts '²' and '١', which
``int`` then refuses or reads as something else), at most ten characters, and within the database's
signed 32-bit integer range, so a 25-digit id never reaches the driver as an overflow.
"""

from __future__ import annotations

MAX_DB_INT = 2**31 - 1
_ASCII_DIGITS = frozenset("0123456789")


def parse_bounded_int(value, *, low: int, high: int) -> int | None:
    """An int in ``low..high`` from an int or a string of ASCII digits; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > 10 or not set(text) <= _ASCII_DIGITS:
            return None
        number = int(text)
    else:
        return None
    return number if low <= number <= high else None


def parse_id(value) -> int | None:
    """A row id: a positive int that fits the database's integer column, else None."""
    return parse_bounded_int(value, low=1, high=MAX_DB_INT)
