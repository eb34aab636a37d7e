"""Records of the ledger pages: the import preview's rows."""

from __future__ import annotations

from typing import TypedDict


class ImportPreviewRow(TypedDict):
    row: int
    enterprise: str
    description: str
    unit: str
    outcome: str  # 可导入 / 已导入过,跳过 / the errors
    ok: bool
