"""Text as it enters the portal: every stored field passes through ``clean_text``.

What a person types (or pastes from Word, or a spreadsheet cell holds) may carry characters that no
page needs and that break what the portal writes: a vertical tab (Word's manual line break) or a NUL
makes openpyxl refuse the whole .xlsx ledger, a lone surrogate cannot be encoded for PostgreSQL. So
stored text is normalised once, at the boundary: every kind of line break becomes ``\\n``, control
characters other than tab and line feed are dropped (with DEL, the C1 controls, lone surrogates and the
non-characters U+FFFE/U+FFFF), the text is NFC-normalised (a decomposed 'é' equals the composed one,
for search and uniqueness alike) and stripped.
"""

from __future__ import annotations

import re
import unicodedata

# \r\n first, so a Windows line break becomes one \n, not two.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# What XML 1.0 (and so every .xlsx cell) cannot hold, plus DEL and the C1 controls: never typed on purpose.
_DROPPED = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def normalise_text(value: str) -> str:
    """``value`` with one kind of line break, without control characters, NFC-normalised and stripped."""
    text = _DROPPED.sub("", _LINE_BREAKS.sub("\n", value))
    return unicodedata.normalize("NFC", text).strip()


def clean_text(value, *, limit: int) -> str:
    """Normalised text (``normalise_text``) cut one past ``limit``, so a length check can still tell it
    was too long; anything but a string is ""."""
    return normalise_text(value)[: limit + 1] if isinstance(value, str) else ""
