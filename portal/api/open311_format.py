"""How the Open311-style API reads bodies and writes answers: JSON or XML as GeoReport v2 does (``.json``
/ ``.xml``), errors as ``[{"code": 400, "description": "…"}]`` / ``<errors><error>…``.

A POST body is bounded before it is parsed (``MAX_BODY``: the declared length first, then what arrives);
``application/x-www-form-urlencoded`` (GeoReport's own) and ``application/json`` (an object; ``attribute``
may be an object of its own) are read, anything else is 415."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portal.core.ids import parse_bounded_int

MAX_BODY = 64 * 1024
MAX_FIELDS = 100
FORMATS = ("json", "xml")
# The XML root and item element of each answer (GeoReport's names; ``updates`` is the portal's extension).
XML_NAMES = {
    "services": ("services", "service"),
    "requests": ("service_requests", "request"),
    "updates": ("updates", "update"),
    "errors": ("errors", "error"),
}
FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
# Characters XML 1.0 cannot hold (ElementTree writes them as they are, and no parser reads the document):
# a control character in a path or a parameter is echoed in an error's description.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class BodyRefused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise BodyRefused(400, "参数值须为字符串或数字")


def _flatten(data) -> dict[str, str]:
    if not isinstance(data, dict):
        raise BodyRefused(400, "JSON 请求体须为对象")
    params: dict[str, str] = {}
    for name, value in data.items():
        if name == "attribute" and isinstance(value, dict):
            params.update({f"attribute[{k}]": _text(v) for k, v in value.items()})
        elif value is not None:
            params[name] = _text(value)
    if len(params) > MAX_FIELDS:
        raise BodyRefused(400, f"参数最多{MAX_FIELDS}个")
    return params


async def read_body(request: Request) -> dict[str, str]:
    """The POST's parameters; ``BodyRefused`` (413, 415, 400) and nothing read past the bound."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in (FORM, JSON_TYPE):
        raise BodyRefused(415, f"不支持的 Content-Type:请使用 {FORM} 或 {JSON_TYPE}")
    declared = request.headers.get("content-length")
    if declared is not None:
        length = parse_bounded_int(declared, low=0, high=2**40)
        if length is None or length > MAX_BODY:
            raise BodyRefused(413, f"请求体不超过{MAX_BODY // 1024}KB")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_BODY:
            raise BodyRefused(413, f"请求体不超过{MAX_BODY // 1024}KB")
    try:
        text = bytes(body).decode("utf-8")
        if media == JSON_TYPE:
            return _flatten(json.loads(text))
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS)
    except BodyRefused:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BodyRefused(400, "请求体无法解析:须为 UTF-8 编码的表单或 JSON") from exc
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)  # a repeated parameter: the first counts
    return params


def _element(parent: ElementTree.Element, name: str, value) -> None:
    child = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _element(child, key, inner)
    elif value is not None:
        child.text = _NOT_XML.sub("\ufffd", _text(value))


def render(kind: str, items: list[dict], fmt: str, status: int = 200, headers: dict | None = None) -> Response:
    """``items`` as the spec's JSON array or XML document (``kind`` names its elements)."""
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", **(headers or {})}
    if fmt != "xml":
        return JSONResponse(items, status_code=status, headers=headers)
    root_name, item_name = XML_NAMES[kind]
    root = ElementTree.Element(root_name)
    for item in items:
        _element(root, item_name, item)
    content = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(content, status_code=status, media_type="text/xml; charset=utf-8", headers=headers)


def error(status: int, message: str, fmt: str = "json", headers: dict | None = None) -> Response:
    return render("errors", [{"code": status, "description": message}], fmt, status, headers)
