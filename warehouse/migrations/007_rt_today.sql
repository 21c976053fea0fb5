-- 007: today's Rotten Tomatoes: RT's own review ids, the page a crawl started from, and RT's
-- own numbers kept over time.
-- Runs unchanged in the duckdb shell: `duckdb reviewhouse.duckdb < warehouse/migrations/007_rt_today.sql`.

-- raw_reviews (grain: one row per record of the latest parsed version of a page) and
-- fct_reviews (grain: one row per review, keyed by review_id) keep the id the source gives a
-- review (RT's `reviewId`): a nightly run stops paging at the first review it already holds.
-- stg_reviews is a view since 006; views/005_stg_reviews.sql shows the column there.
ALTER TABLE raw_reviews ADD COLUMN IF NOT EXISTS source_review_id VARCHAR;
ALTER TABLE fct_reviews ADD COLUMN IF NOT EXISTS source_review_id VARCHAR;

-- pages (grain: one row per (url, content_hash)): the URL the crawl that reached this page
-- started from. An API page names no movie; re-parsing it from the raw store takes the movie
-- from this URL, as the run that fetched it did.
ALTER TABLE pages ADD COLUMN IF NOT EXISTS start_url VARCHAR;

-- grain: one row per movie per capture, keyed by (movie_id, captured_at, source_url): RT's
-- scorecard as one page showed it when it was fetched. Reloading the same stored page adds
-- nothing (the load anti-joins on the key); no UNIQUE, as DuckLake has none.
CREATE TABLE IF NOT EXISTS movie_score_snapshots (
    movie_id                VARCHAR NOT NULL,
    captured_at             TIMESTAMPTZ NOT NULL,    -- the page's fetched_at
    run_id                  VARCHAR NOT NULL,        -- the run that loaded the capture
    source_url              VARCHAR,                 -- the page that showed the scorecard
    tomatometer             INTEGER,                 -- % of critics' reviews that are fresh
    tomatometer_sentiment   VARCHAR,                 -- positive | negative
    certified_fresh         BOOLEAN,
    critic_review_count     INTEGER,
    critic_liked            INTEGER,
    critic_not_liked        INTEGER,
    critic_average_rating   DOUBLE,                  -- out of 10
    top_critics_tomatometer INTEGER,
    popcornmeter            INTEGER,                 -- % of audience ratings that are positive
    popcornmeter_certified  BOOLEAN,
    audience_rating_count   VARCHAR,                 -- a count, or RT's banded text ("250,000+ Ratings")
    loaded_at               TIMESTAMPTZ NOT NULL
);
