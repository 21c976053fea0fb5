from __future__ import annotations

import pytest

from parsers import ParseError, decode_body


def test_utf8_bom_is_removed():
    assert decode_body("\ufeffcafé".encode()) == "café"


def test_header_charset_wins_over_guessing():
    assert decode_body("naïve".encode("cp1252"), "text/html; charset=windows-1252") == "naïve"


def test_meta_charset_is_read():
    body = b'<html><head><meta charset="iso-8859-1"></head><body>caf\xe9 \x93quoted\x94</body>'
    text = decode_body(body)
    assert "café" in text
    assert "\u201cquoted\u201d" in text  # Latin-1 labels mean Windows-1252 in practice


def test_undeclared_cp1252_falls_back_without_crashing():
    assert decode_body(b"Caf\xe9 au lait") == "Café au lait"


def test_empty_and_binary_bodies_are_parse_errors():
    with pytest.raises(ParseError, match="empty"):
        decode_body(b"  \n ")
    with pytest.raises(ParseError, match="binary"):
        decode_body(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")


def test_utf16_with_bom_is_text_not_binary():
    assert decode_body("Reviews".encode("utf-16")) == "Reviews"
