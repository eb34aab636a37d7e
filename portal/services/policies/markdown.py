"""A policy's Markdown as the public page draws it (issue #20): the page's renderer (react-markdown, no
raw HTML) would load an image from any site, so a body could carry a tracking pixel that tells a third
party who reads which policy. Only the policy's own uploaded files (served by ``/api/policy-files/{id}``)
stay images; any other image becomes a plain link with its alt text, which loads nothing until clicked.

The Markdown is parsed (markdown-it, CommonMark with GFM tables and strikethrough) to find each image and
the exact text it was written with; a foreign image loses its "!" and so becomes a link. Then, whatever
the parser made of the text, every "![" left that does not begin one of the policy's own images is
broken with a zero-width space: an image needs "![" written together, so the page's renderer cannot
find one the parser missed (a footnote, a construct the two parsers read differently).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markdown_it import MarkdownIt
from markdown_it.rules_inline.image import image as _image_rule
from markdown_it.token import Token

from portal import routes

_OWN_FILE = re.compile(rf"^{re.escape(routes.POLICY_FILES_API)}/(\d+)$")
_IMAGE_START = "!["
_BROKEN_START = "!\u200b["


def _image_with_source(state, silent: bool) -> bool:
    """markdown-it's image rule, keeping on each image token the text it was parsed from."""
    start = state.pos
    if not _image_rule(state, silent):
        return False
    if not silent:
        state.tokens[-1].meta["source"] = state.src[start : state.pos]
    return True


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    parser.inline.ruler.at("image", _image_with_source)
    return parser


_PARSER = _parser()


def _images(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        if token.type == "image":
            yield token
        if token.children:
            yield from _images(token.children)


def own_file_id(src: str) -> int | None:
    """The attachment id of a ``/api/policy-files/{id}`` address, else None."""
    match = _OWN_FILE.match(src or "")
    return int(match.group(1)) if match else None


def confine_images(text: str, own_files: set[int]) -> str:
    """``text`` with every image that is not one of ``own_files`` (the policy's attachment ids) made a
    link, and no other way left for the renderer to find an image."""
    if _IMAGE_START not in (text or ""):
        return text or ""
    kept: set[str] = set()
    for image in _images(_PARSER.parse(text)):
        source = image.meta.get("source", "")
        if own_file_id(image.attrs.get("src", "")) in own_files:
            kept.add(source)
        elif source.startswith(_IMAGE_START):
            text = text.replace(source, source[1:])
    return _break_other_image_starts(text, kept)


def _break_other_image_starts(text: str, kept: set[str]) -> str:
    parts, last = [], 0
    for match in re.finditer(re.escape(_IMAGE_START), text):
        if not any(text.startswith(source, match.start()) for source in kept):
            parts += [text[last : match.start()], _BROKEN_START]
            last = match.end()
    return "".join(parts) + text[last:]
