"""Movie keys: one owner for reviews and scorecards, slugs read as the parsers read them."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.urls import RT_SLUG_PATTERNS, movie_slug
from transforms.movies import key_movies, slug_in_url

SLUG_PARTS = st.text(alphabet="abcXYZ09_.-/", min_size=0, max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.builds(
            "{}{}{}{}".format,
            st.sampled_from(["https://www.rottentomatoes.com", "http://127.0.0.1:8000", ""]),
            st.sampled_from(["/m/", "/tv/", "/tv/x/s", "/", "/M/"]),
            SLUG_PARTS,
            st.sampled_from(["", "/reviews", "/s01", "/s1x/reviews", "?page=2", "/s123"]),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_urls_name_the_slug_the_parsers_read(urls):
    read = pl.DataFrame({"url": urls}).select(slug_in_url(pl.col("url"))).to_series()
    assert read.to_list() == [movie_slug(url) for url in urls]


def test_every_shared_slug_pattern_runs_in_polars():
    """The parsers' patterns are the transform's too: Polars' regex engine must take them
    as they are (it has no look-around)."""
    for pattern in RT_SLUG_PATTERNS:
        pl.select(pl.lit("https://x/m/y").str.extract(pattern, 1))


def test_keys_and_titles_from_slug_title_or_external_id():
    frame = pl.DataFrame(
        {
            "movie_slug": [" The_Matrix ", None, None, None],
            "source_url": [None, "https://x/tv/the-bear/s03/reviews", "file:///a.html", None],
            "movie_title": [None, None, " Backstage ", None],
            "movie_year": [None, None, 2005, None],
            "movie_ref": [None, None, None, "rt-ems:abc"],
        },
        schema_overrides={"movie_year": pl.Int32},
    )
    keyed = key_movies(frame).select("movie_key", "movie_slug", "movie_title", "movie_title_source")
    assert keyed.rows() == [
        ("slug:the_matrix", "the_matrix", "The Matrix", "slug"),
        ("slug:tv/the-bear/s03", "tv/the-bear/s03", "The Bear Season 3", "slug"),
        ("title:backstage:2005", None, "Backstage", "stated"),
        ("rt-ems:abc", None, None, None),
    ]
