from __future__ import annotations

import polars as pl

from transforms.text import clean_quotes, name_key, quote_key, tidy_text, title_from_slug


def quotes(*raw: str | None) -> list[dict]:
    frame = pl.DataFrame({"quote_raw": list(raw)}, schema={"quote_raw": pl.String})
    return clean_quotes(frame).select("quote", "review_language_note").to_dicts()


def test_entities_tags_and_whitespace():
    assert quotes("It&#39;s <i>Fast X<i> &amp; more\n\n here.&nbsp;") == [
        {"quote": "It's Fast X & more here.", "review_language_note": None}
    ]


def test_block_tags_become_spaces_inline_tags_vanish():
    assert quotes("one<br/>two <b>th</b>ree")[0]["quote"] == "one two three"


def test_language_note_moves_to_its_own_column():
    assert quotes("Una película notable. [Full Review in Spanish]") == [
        {"quote": "Una película notable.", "review_language_note": "Full Review in Spanish"}
    ]


def test_curly_quotes_and_accents_are_preserved():
    assert quotes("“Café” — naïve’s déjà vu")[0]["quote"] == "“Café” — naïve’s déjà vu"


def test_numeric_references_in_decimal_and_hex():
    assert quotes("&#8220;x&#x201D; &#X2019; &#233;")[0]["quote"] == "“x” ’ é"


def test_blank_and_markup_only_quotes_become_null():
    assert [row["quote"] for row in quotes("   ", "<p></p>", None, "\u00a0")] == [None] * 4


def test_names_keep_display_form_and_key_on_case_folded_form():
    frame = pl.DataFrame({"name": ["  Roger   EBERT ", "roger ebert", "   "]})
    tidied = tidy_text(frame, {"display": "name"})
    assert tidied["display"].to_list() == ["Roger EBERT", "roger ebert", None]
    keys = tidied.select(name_key(pl.col("display")))
    assert keys.to_series().to_list() == ["roger ebert", "roger ebert", None]


def test_quote_key_ignores_punctuation_and_case():
    frame = pl.DataFrame({"q": ["It's GREAT -- really!", "its great really"]})
    keys = frame.select(quote_key(pl.col("q"))).to_series().to_list()
    assert keys[0] == keys[1] == "itsgreatreally"


def test_title_from_slug():
    frame = pl.DataFrame(
        {"slug": ["the_dark_knight", "1922_2017", "0814255", "1000013-12_angry_men"]}
    )
    titles = frame.select(title_from_slug(pl.col("slug"))).to_series().to_list()
    assert titles == ["The Dark Knight", None, None, "12 Angry Men"]
