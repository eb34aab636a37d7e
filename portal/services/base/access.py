"""What every service write is built from, whatever the domain: who may act (``require_role``), the row
a client-supplied id names (``get_row``, ``NotFound`` for a missing or malformed id alike) and one
transaction per write where a lost race reads as ``Conflict`` (``transactional``), and who acted, as
the timeline and the audit show it (``actor_label``)."""

from __future__ import annotations

import functools

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session

from portal.core.ids import parse_id
from portal.models.enums import Role
from portal.models.tables import Enterprise, Unit
from portal.services.accounts.actor import Actor
from portal.services.base.errors import Conflict, Forbidden, NotFound


def require_role(actor: Actor | None, *roles: str) -> Actor:
    if actor is None or actor.role not in roles:
        raise Forbidden()
    return actor


def get_row(session: Session, model, raw_id, message: str = ""):
    """The row of ``model`` named by a client-supplied id, or ``NotFound``."""
    row_id = parse_id(raw_id)
    row = session.get(model, row_id) if row_id else None
    if row is None:
        raise NotFound(message) if message else NotFound()
    return row


def transactional(fn):
    """Run a write in one transaction; a lost race (SQLite busy snapshot, a unique key) reads as a conflict."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OperationalError as exc:
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise Conflict() from exc
            raise
        except IntegrityError as exc:
            raise Conflict() from exc

    return wrapper


def actor_label(session: Session, actor: Actor | None) -> str:
    """Who acted, as the timeline shows it: "单位·姓名" (enterprises: "企业·姓名")."""
    if actor is None:
        return "系统"
    if actor.role == Role.ENTERPRISE and actor.enterprise_id:
        enterprise = session.get(Enterprise, actor.enterprise_id)
        return f"{enterprise.name if enterprise else '企业'}·{actor.display_name}"
    if actor.unit_id:
        unit = session.get(Unit, actor.unit_id)
        return f"{unit.name if unit else ''}·{actor.display_name}"
    return actor.display_name
