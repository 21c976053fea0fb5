"""Bytes to text: the charset comes from the BOM, the header or `<meta>`, with a fallback."""

from __future__ import annotations

import codecs
import re

from parsers.base import ParseError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_SNIFF_BYTES = 4096


def charset_of(body: bytes, content_type: str | None = None) -> str | None:
    """The declared charset, if any: BOM first, then the HTTP header, then `<meta>`."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    if content_type and (match := _HEADER_CHARSET.search(content_type)):
        return _known_codec(match.group(1))
    if match := _META_CHARSET.search(body[:_SNIFF_BYTES]):
        return _known_codec(match.group(1).decode("ascii", "replace"))
    return None


def decode_body(body: bytes, content_type: str | None = None) -> str:
    """Decode a page body, or raise `ParseError` for empty or binary content.

    >>> decode_body(b"\\xef\\xbb\\xbfcaf\\xc3\\xa9")
    'café'
    """
    if not body or body.isspace():  # not `strip()`: that copies the whole page
        raise ParseError("empty page")
    head = body[:_SNIFF_BYTES]
    declared = charset_of(body, content_type)
    if b"\x00" in head and not (declared or "").startswith("utf-16"):
        raise ParseError("binary content, not a text page")
    text = body.decode(declared, errors="replace") if declared else _undeclared(body)
    return text.removeprefix("\ufeff")


def _undeclared(body: bytes) -> str:
    """Text of a page that names no charset: UTF-8 when it mostly is, else Windows-1252.

    A page that is UTF-8 with a few bad bytes (a stray 0xFF, a cut-off character) stays
    UTF-8, each bad sequence one U+FFFD: read as Windows-1252 instead, every accented letter
    of the page would turn to mojibake (`CafÃ©`). The rule: UTF-8 when the page holds at
    least as many valid multi-byte sequences as invalid ones. Windows-1252 text almost never
    forms a valid multi-byte sequence by chance (that takes a letter like `Ã` followed by a
    symbol from 0x80-0xBF, which is itself mojibake), while each of its accented letters is
    an invalid one; so an undeclared legacy page with accents has many invalid sequences and
    next to no valid ones, and falls back as browsers do.

    >>> _undeclared(b"Backst\\xffge Caf\\xc3\\xa9") == "Backst\\N{REPLACEMENT CHARACTER}ge Café"
    True
    >>> _undeclared(b"Caf\\xe9 au lait")
    'Café au lait'
    """
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = body.decode("utf-8", errors="replace")
    # Each invalid sequence became one U+FFFD; a U+FFFD the page wrote itself is valid UTF-8.
    invalid = text.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    multibyte = non_ascii - invalid
    if multibyte > 0 and multibyte >= invalid:
        return text
    # Windows-1252 is what browsers assume for undeclared legacy pages.
    return body.decode("cp1252", errors="replace")


def _known_codec(name: str) -> str | None:
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # Pages labelled Latin-1 are in practice Windows-1252 (the WHATWG encoding rule).
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec
