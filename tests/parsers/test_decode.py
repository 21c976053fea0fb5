from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def test_one_stray_byte_leaves_an_undeclared_utf8_page_utf8():
    # The failing case: one 0xFF in a UTF-8 page used to turn all of it into cp1252 mojibake.
    body = "<html><title>Backstage Café</title><p>Crème brûlée, naïve.</p></html>".encode()
    body = body.replace(b"Backstage", b"Backst\xffge")
    text = decode_body(body)
    assert "Café" in text
    assert "Crème brûlée, naïve." in text
    assert "Backst\ufffdge" in text
    assert "Ã" not in text


def test_a_cut_off_utf8_character_is_one_replacement_not_mojibake():
    body = "Amélie — à la carte".encode() + "é".encode()[:1]
    assert decode_body(body) == "Amélie — à la carte\ufffd"


def test_a_real_cp1252_page_with_many_accents_is_still_cp1252():
    text = (
        "<html><title>Café Society</title><p>\u201cA naïve, bittersweet crème brûlée"
        " of a film\u201d \u2014 Zoë Façade, Le Monde</p></html>"
    )
    assert decode_body(text.encode("cp1252")) == text


def test_a_page_that_writes_the_replacement_character_itself_counts_it_as_valid():
    # Two U+FFFD the page wrote itself are valid UTF-8 and outnumber one bad byte; the
    # bad byte's own replacement is not counted as valid.
    body = "\ufffd \ufffd".encode() + b" caf\xe9"
    assert decode_body(body) == "\ufffd \ufffd caf\ufffd"


@given(
    st.text(
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1
    ).filter(lambda s: any(ord(c) > 127 for c in s))
)
def test_valid_utf8_with_one_stray_byte_keeps_every_character(text: str):
    body = text.encode() + b"\xff"
    assert decode_body(body) == text.removeprefix("\ufeff") + "\ufffd"
