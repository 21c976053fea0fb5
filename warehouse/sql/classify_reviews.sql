-- Compare this run's reviews (batch_reviews) with fct_reviews and decide, per review_id,
-- whether it is new, updated or unchanged. A value already known is never replaced by a
-- missing one: a later sighting without a score keeps the score found before.
CREATE OR REPLACE TEMP TABLE review_changes AS
WITH merged AS (
    SELECT
        s.review_id,
        coalesce(s.movie_id, t.movie_id)                         AS movie_id,
        coalesce(s.critic_id, t.critic_id)                       AS critic_id,
        coalesce(s.publication_id, t.publication_id)             AS publication_id,
        coalesce(s.review_date, t.review_date)                   AS review_date,
        coalesce(s.quote, t.quote)                               AS quote,
        coalesce(s.review_language_note, t.review_language_note) AS review_language_note,
        coalesce(s.score_raw, t.score_raw)                       AS score_raw,
        if(s.score_status = 'empty' AND t.review_id IS NOT NULL,
           t.score_value, s.score_value)                         AS score_value,
        if(s.score_status = 'empty' AND t.review_id IS NOT NULL,
           t.score_scale, s.score_scale)                         AS score_scale,
        if(s.score_status = 'empty' AND t.review_id IS NOT NULL,
           t.score_normalized, s.score_normalized)               AS score_normalized,
        if(s.score_status = 'empty' AND t.review_id IS NOT NULL,
           t.score_kind, s.score_kind)                           AS score_kind,
        if(s.score_status = 'empty' AND t.review_id IS NOT NULL,
           t.score_status, s.score_status)                       AS score_status,
        coalesce(s.is_fresh, t.is_fresh)                         AS is_fresh,
        coalesce(s.is_top_critic, t.is_top_critic)               AS is_top_critic,
        coalesce(s.review_url, t.review_url)                     AS review_url,
        coalesce(s.date_raw, t.date_raw)                         AS date_raw,
        s.source_url,
        s.source_layout,
        s.page_number,
        s.fetched_at
    FROM batch_reviews AS s
    LEFT JOIN fct_reviews AS t USING (review_id)
)
SELECT
    m.*,
    CASE
        WHEN t.review_id IS NULL THEN 'new'
        WHEN ROW(m.movie_id, m.critic_id, m.publication_id, m.review_date, m.quote,
                 m.review_language_note, m.score_raw, m.score_value, m.score_scale,
                 m.score_normalized, m.score_kind, m.score_status, m.is_fresh,
                 m.is_top_critic, m.review_url, m.date_raw)
             IS DISTINCT FROM
             ROW(t.movie_id, t.critic_id, t.publication_id, t.review_date, t.quote,
                 t.review_language_note, t.score_raw, t.score_value, t.score_scale,
                 t.score_normalized, t.score_kind, t.score_status, t.is_fresh,
                 t.is_top_critic, t.review_url, t.date_raw)
        THEN 'updated'
        ELSE 'unchanged'
    END AS change
FROM merged AS m
LEFT JOIN fct_reviews AS t USING (review_id);
