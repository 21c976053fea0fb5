-- reviews: one row per review with its movie, critic and publication spelled out.
-- The foundation contract: later work may add columns, never remove or retype these.
CREATE OR REPLACE VIEW reviews AS
SELECT
    r.review_id,
    m.movie_title,
    m.movie_slug,
    m.movie_year,
    r.review_date,
    r.quote,
    r.review_language_note,
    c.critic_name,
    p.publication_name AS publication,
    r.score_raw,
    r.score_value,
    r.score_scale,
    r.score_normalized,
    r.score_kind,
    r.score_status,
    r.is_fresh,
    r.is_top_critic,
    r.review_url,
    r.source_url,
    r.source_layout,
    r.movie_id,
    r.critic_id,
    r.publication_id,
    r.first_run_id,
    r.last_run_id,
    r.source_review_id
FROM fct_reviews AS r
JOIN dim_movies AS m USING (movie_id)
LEFT JOIN dim_critics AS c USING (critic_id)
LEFT JOIN dim_publications AS p USING (publication_id);
