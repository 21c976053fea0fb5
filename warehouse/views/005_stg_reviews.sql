-- stg_reviews: the staging layer, one row per review, keyed by review_id: every typed,
-- normalised column with the natural keys its ids were made from (movie_key, critic_key,
-- publication_key). run_id is the run that last changed the row: a run's staged rows are
-- `WHERE run_id = ...`. A view, as dbt materialises staging models.
CREATE OR REPLACE VIEW stg_reviews AS
SELECT
    r.review_id,
    r.movie_id,
    r.critic_id,
    r.publication_id,
    r.review_date,
    r.quote,
    r.review_language_note,
    r.score_raw,
    r.score_value,
    r.score_scale,
    r.score_normalized,
    r.score_kind,
    r.score_status,
    r.is_fresh,
    r.is_top_critic,
    r.review_url,
    r.date_raw,
    r.source_url,
    r.source_layout,
    r.page_number,
    r.fetched_at,
    r.source_review_id,
    m.movie_key,
    m.movie_slug,
    m.movie_title,
    m.movie_title_source,
    m.movie_year,
    c.critic_key,
    c.critic_name,
    c.critic_url,
    p.publication_key,
    p.publication_name,
    p.publication_url,
    r.last_run_id AS run_id
FROM fct_reviews AS r
LEFT JOIN dim_movies AS m USING (movie_id)
LEFT JOIN dim_critics AS c USING (critic_id)
LEFT JOIN dim_publications AS p USING (publication_id);
