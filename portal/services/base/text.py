"""Text as it enters the portal: every stored field passes through ``clean_text``."""

from __future__ import annotations


def clean_text(value, *, limit: int) -> str:
    """Stripped text cut one past ``limit``, so a length check can still tell it was too long."""
    return value.strip()[: limit + 1] if isinstance(value, str) else ""
