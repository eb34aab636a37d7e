"""What every table module shares: aware UTC timestamps."""

from __future__ import annotations

from sqlmodel import Field

from portal.core.clock import now
from portal.models.types import UTCDateTime


def timestamp_field(*, index: bool = False, nullable: bool = True, default: bool = False):
    if default:
        return Field(default_factory=now, sa_type=UTCDateTime, nullable=False, index=index)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)
