"""Who is on the other end of a request: the client address the throttles count and the operations
routes trust (issue #24).

The peer of the TCP connection is the truth unless it is one of ``PORTAL_TRUSTED_PROXIES`` (default
the local host, where nginx runs in ``scripts/cluster.sh``). Only then is ``X-Forwarded-For`` read,
from the right: each address a trusted proxy appended is skipped, and the first one that is not a
trusted proxy is the client. Anything to its left was written by the client and is ignored. Without
``X-Forwarded-For``, a trusted proxy's ``X-Real-IP`` is used.
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from portal.core.settings import get_settings

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple[_Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue  # a typo in the setting trusts nothing rather than everything
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = (text or "").strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def is_trusted_proxy(peer: str) -> bool:
    address = _address(peer)
    if address is None:
        return False
    return any(address in network for network in _networks(get_settings().trusted_proxies))


def client_address(peer: str, forwarded_for: str = "", real_ip: str = "") -> str:
    """The client's address: ``peer`` itself, or, when ``peer`` is a trusted proxy, the rightmost
    address of ``forwarded_for`` that is not a trusted proxy (else ``real_ip``)."""
    peer = (peer or "").strip()
    if not is_trusted_proxy(peer):
        return peer
    hops = [hop.strip() for hop in (forwarded_for or "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if _address(hop) is None:
            return peer  # a malformed entry: stop believing the chain
        if not is_trusted_proxy(hop):
            return str(_address(hop))
    if hops:
        return str(_address(hops[0]))
    real = _address(real_ip)
    return str(real) if real is not None else peer


def is_loopback(address: str) -> bool:
    parsed = _address(address)
    return parsed is not None and parsed.is_loopback


def token_matches(header: str, expected: str | None) -> bool:
    """Whether an ``Authorization: Bearer …`` header carries ``expected`` (constant-time; never with no
    token configured)."""
    if not expected:
        return False
    scheme, _, value = (header or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip().encode(), expected.encode())
