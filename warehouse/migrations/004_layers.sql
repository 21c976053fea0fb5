-- 004: the raw and staging layers between the pages and the marts.
--   raw_reviews   records exactly as parsed, for the latest version of every page read
--   stg_reviews   the typed, normalised, keyed rows the latest run merged into the marts

-- grain: one row per record of the latest parsed version of a page (source_url, record_number)
CREATE TABLE IF NOT EXISTS raw_reviews (
    source_url      VARCHAR NOT NULL,
    record_number   INTEGER,
    source_layout   VARCHAR,
    page_number     INTEGER,
    fetched_at      TIMESTAMPTZ,
    movie_title     VARCHAR,
    movie_slug      VARCHAR,
    movie_year      INTEGER,
    movie_ref       VARCHAR,
    critic_name     VARCHAR,
    critic_url      VARCHAR,
    publication     VARCHAR,
    publication_url VARCHAR,
    is_top_critic   BOOLEAN,
    sentiment       VARCHAR,
    score_raw       VARCHAR,
    date_raw        VARCHAR,
    quote_raw       VARCHAR,
    review_url      VARCHAR,
    run_id          VARCHAR NOT NULL
);

-- grain: one row per review staged by the latest run, keyed by review_id
CREATE TABLE IF NOT EXISTS stg_reviews (
    review_id               VARCHAR NOT NULL,
    movie_id                VARCHAR,
    critic_id               VARCHAR,
    publication_id          VARCHAR,
    review_date             DATE,
    quote                   VARCHAR,
    review_language_note    VARCHAR,
    score_raw               VARCHAR,
    score_value             DOUBLE,
    score_scale             DOUBLE,
    score_normalized        DOUBLE,
    score_kind              VARCHAR,
    score_status            VARCHAR,
    is_fresh                BOOLEAN,
    is_top_critic           BOOLEAN,
    review_url              VARCHAR,
    date_raw                VARCHAR,
    source_url              VARCHAR,
    source_layout           VARCHAR,
    page_number             INTEGER,
    fetched_at              TIMESTAMPTZ,
    movie_key               VARCHAR,
    movie_slug              VARCHAR,
    movie_title             VARCHAR,
    movie_title_source      VARCHAR,
    movie_year              INTEGER,
    critic_key              VARCHAR,
    critic_name             VARCHAR,
    critic_url              VARCHAR,
    publication_key         VARCHAR,
    publication_name        VARCHAR,
    publication_url         VARCHAR,
    run_id                  VARCHAR NOT NULL
);
