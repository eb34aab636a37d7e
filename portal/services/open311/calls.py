"""One API call's course, for ``api/open311`` (issue #27): admit it (the key, the rate), do the work in its
own transaction, then count and audit it.

Who may call: anyone may read (``services``, ``requests``, one request, its ``updates``) — without a key
at most ``ANONYMOUS_RATE`` calls a minute per client address; posting needs a key. A key that is sent
is checked even on a read (an unknown or revoked key is refused, never read as anonymous). Every call
with a key is counted on the key and written to the 审计日志 (开放接口) with its method, path, status
and, for a POST, the demand's code — never the key. Reads without a key are not audited (the request log
has them; an audit row per anonymous read would let anyone grow the table), but they are rate-limited."""

from __future__ import annotations

from sqlmodel import Session

from portal.core.clock import now
from portal.core.db import session_scope
from portal.services.base.access import transactional
from portal.services.base.errors import Conflict, NotFound
from portal.services.open311 import georeport, posting
from portal.services.open311.keys import ANONYMOUS_RATE, KeyHolder, KeyRefused, audit_call, count_call, holder_of, spend


class RateLimited(Exception):
    def __init__(self, retry_after: int, holder: KeyHolder | None):
        super().__init__("调用过于频繁")
        self.retry_after, self.holder = retry_after, holder


@transactional
def admit(*, key: str | None, address: str, needs_key: bool) -> KeyHolder | None:
    """The key's holder (None: an anonymous read). ``KeyRefused`` (401/403), ``RateLimited`` (429). A missing
    or made-up key spends the address's anonymous budget (else any made-up key escaped the rate)."""
    refused: KeyRefused | None = None
    with session_scope() as session:
        try:
            holder = holder_of(session, key) if (key or needs_key) else None
        except KeyRefused as exc:
            if exc.key_id is not None:  # revoked: counted on its own row by the caller
                raise
            refused, holder = exc, None
        moment = now()
        if holder is None:
            wait = spend(session, "addr:" + (address or "")[:64], ANONYMOUS_RATE, moment)
        else:
            wait = spend(session, f"key:{holder.id}", holder.rate_per_minute, moment)
    if wait is not None:
        raise RateLimited(wait, holder)
    if refused is not None:
        raise refused
    return holder


def finish(*, key_id: int | None, holder: KeyHolder | None, summary: str, refused: bool, audit: bool = True) -> None:
    """Count and audit a call with a key (a call without one leaves no row). Calls over the rate are
    counted, not audited one by one (a runaway client would flood the log); a revoked key's are both."""
    if key_id is None:
        return
    with session_scope() as session:
        count_call(session, key_id, refused=refused, moment=now())
        if audit:
            audit_call(session, holder, summary if holder else f"已停用的密钥#{key_id}:{summary}")


def read_services() -> list[dict]:
    with session_scope() as session:
        return georeport.services(session)


def read_requests(*, params: dict[str, str], holder: KeyHolder | None) -> list[dict]:
    """``BadQuery`` for a malformed filter."""
    with session_scope() as session:
        return georeport.requests(session, georeport.parse_query(session, params), holder)


def _demand(session: Session, code: str):
    demand = georeport.demand_by_code(session, code)
    if demand is None:
        raise NotFound(f"没有编号为 {code[:30]} 的诉求")
    return demand


def read_request(*, code: str, holder: KeyHolder | None) -> list[dict]:
    with session_scope() as session:
        return georeport.request_records(session, [_demand(session, code)], holder)


def read_updates(*, code: str, holder: KeyHolder | None) -> list[dict]:
    with session_scope() as session:
        return georeport.updates(session, _demand(session, code), holder)


@transactional
def _post_once(holder: KeyHolder, params: dict[str, str], key: str | None) -> posting.Posted:
    with session_scope() as session:
        return posting.post_request(session, holder=holder, params=params, key=key)


def post(*, holder: KeyHolder, params: dict[str, str], idempotency_key: str | None) -> posting.Posted:
    """Post one demand; a parallel request with the same Idempotency-Key that lost the race gets the
    winner's answer (the second attempt finds it). ``ValidationFailed``, ``Forbidden``, ``ReusedKey``."""
    key = posting.idempotency_key(idempotency_key)
    try:
        return _post_once(holder, params, key)
    except Conflict:
        if key is None:
            raise
        return _post_once(holder, params, key)


def read_token(*, token: str, holder: KeyHolder | None) -> list[dict]:
    """GeoReport's token lookup: the code a POST's token stands for (the token is high-entropy and only its
    poster was given it, so it suffices)."""
    from sqlmodel import select

    from portal.models.tables import ApiRequest, Demand

    with session_scope() as session:
        shaped = isinstance(token, str) and georeport.TOKEN_SHAPE.match(token)
        row = session.exec(select(ApiRequest).where(ApiRequest.token == token)).first() if shaped else None
        if row is None:
            raise NotFound("没有该 token 对应的请求")
        return [{"service_request_id": session.get(Demand, row.demand_id).code, "token": row.token}]
