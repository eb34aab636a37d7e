"""Importing this package registers every table on ``SQLModel.metadata`` (Alembic relies on it)."""

from portal.models import tables  # noqa: F401
