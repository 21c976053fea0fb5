-- 001: the core star schema, the run log and quarantine.
-- Runs unchanged in the duckdb shell: `duckdb reviewhouse.duckdb < warehouse/migrations/001_core.sql`.
-- No PRIMARY KEY or UNIQUE anywhere: a DuckLake catalog supports neither. Keys are kept
-- unique by the load (MERGE and anti-joins) and checked by validation. (Warehouses created
-- before this note keep the primary keys they were given; nothing relies on them.)

-- grain: one row per ingest run, keyed by run_id
CREATE TABLE IF NOT EXISTS etl_runs (
    run_id              VARCHAR NOT NULL,
    flow_run_id         VARCHAR,
    flow_name           VARCHAR,
    started_at          TIMESTAMPTZ NOT NULL,
    ended_at            TIMESTAMPTZ,
    status              VARCHAR NOT NULL,        -- completed | failed
    parameters          JSON,
    sources             VARCHAR[],
    pages_read          INTEGER,
    pages_failed        INTEGER,
    pages_skipped       INTEGER,
    reviews_parsed      INTEGER,
    reviews_quarantined INTEGER,
    reviews_loaded      INTEGER,
    reviews_new         INTEGER,
    reviews_updated     INTEGER,
    reviews_unchanged   INTEGER,
    stage_seconds       JSON,
    warnings            JSON,                    -- non-blocking findings, with counts
    report_path         VARCHAR,                 -- the run's validation report (Data Docs)
    error_summary       VARCHAR
);

-- grain: one row per rejected page or review row
CREATE TABLE IF NOT EXISTS quarantine (
    run_id          VARCHAR NOT NULL,
    source_url      VARCHAR,
    stage           VARCHAR NOT NULL,            -- fetch | parse | transform | validate | load
    reason          VARCHAR NOT NULL,
    layout          VARCHAR,
    review_id       VARCHAR,
    record          JSON,
    quarantined_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- grain: one row per movie, keyed by movie_id (RT slug where known, else title + year)
CREATE TABLE IF NOT EXISTS dim_movies (
    movie_id            VARCHAR NOT NULL,
    movie_key           VARCHAR NOT NULL,
    movie_slug          VARCHAR,
    movie_title         VARCHAR,
    movie_title_source  VARCHAR,                 -- stated | slug
    movie_year          INTEGER,
    first_run_id        VARCHAR NOT NULL,
    last_run_id         VARCHAR NOT NULL
);

-- grain: one row per critic, keyed by critic_id (case-folded name)
CREATE TABLE IF NOT EXISTS dim_critics (
    critic_id       VARCHAR NOT NULL,
    critic_key      VARCHAR NOT NULL,
    critic_name     VARCHAR,
    critic_url      VARCHAR,
    first_run_id    VARCHAR NOT NULL,
    last_run_id     VARCHAR NOT NULL
);

-- grain: one row per publication, keyed by publication_id (case-folded name)
CREATE TABLE IF NOT EXISTS dim_publications (
    publication_id      VARCHAR NOT NULL,
    publication_key     VARCHAR NOT NULL,
    publication_name    VARCHAR,
    publication_url     VARCHAR,
    first_run_id        VARCHAR NOT NULL,
    last_run_id         VARCHAR NOT NULL
);

-- grain: one row per review, keyed by review_id (movie, critic or publication, date, quote).
-- The key is kept unique by the load (an anti-join insert) and checked by validation; no
-- index is declared, because an index on a million random keys costs the nightly load more
-- than it gives readers, whose queries scan.
CREATE TABLE IF NOT EXISTS fct_reviews (
    review_id               VARCHAR NOT NULL,
    movie_id                VARCHAR NOT NULL,
    critic_id               VARCHAR,
    publication_id          VARCHAR,
    review_date             DATE,
    quote                   VARCHAR,
    review_language_note    VARCHAR,
    score_raw               VARCHAR,
    score_value             DOUBLE,
    score_scale             DOUBLE,
    score_normalized        DOUBLE,             -- 0..1, NULL unless score_status = 'ok'
    score_kind              VARCHAR,
    score_status            VARCHAR NOT NULL,   -- ok | empty | unparsed | out_of_range
    is_fresh                BOOLEAN,            -- the critic's call as the page states it
    is_top_critic           BOOLEAN,
    review_url              VARCHAR,
    date_raw                VARCHAR,
    source_url              VARCHAR,
    source_layout           VARCHAR,
    page_number             INTEGER,
    fetched_at              TIMESTAMPTZ,
    first_run_id            VARCHAR NOT NULL,
    last_run_id             VARCHAR NOT NULL,
    loaded_at               TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL
);
