-- Update the reviews of this run (registered as batch_reviews) that the warehouse already
-- holds and that changed. A value already known is never replaced by a missing one: a later
-- sighting without a score keeps the score found before. Unchanged reviews are not touched,
-- so their last_run_id keeps naming the run that last changed them.
-- $run_id, $now: the loading run. Returns the number of rows updated.
UPDATE fct_reviews AS t SET
    movie_id = c.movie_id,
    critic_id = c.critic_id,
    publication_id = c.publication_id,
    review_date = c.review_date,
    quote = c.quote,
    review_language_note = c.review_language_note,
    score_raw = c.score_raw,
    score_value = c.score_value,
    score_scale = c.score_scale,
    score_normalized = c.score_normalized,
    score_kind = c.score_kind,
    score_status = c.score_status,
    is_fresh = c.is_fresh,
    is_top_critic = c.is_top_critic,
    review_url = c.review_url,
    date_raw = c.date_raw,
    source_url = c.source_url,
    source_layout = c.source_layout,
    page_number = c.page_number,
    fetched_at = c.fetched_at,
    source_review_id = c.source_review_id,
    last_run_id = $run_id,
    updated_at = $now
FROM (
    SELECT
        s.review_id,
        if(k.api_held, coalesce(f.movie_id, s.movie_id), coalesce(s.movie_id, f.movie_id)) AS movie_id,
        if(k.api_held, coalesce(f.critic_id, s.critic_id), coalesce(s.critic_id, f.critic_id)) AS critic_id,
        if(k.api_held, coalesce(f.publication_id, s.publication_id), coalesce(s.publication_id, f.publication_id)) AS publication_id,
        if(k.api_held, coalesce(f.review_date, s.review_date), coalesce(s.review_date, f.review_date)) AS review_date,
        if(k.api_held, coalesce(f.quote, s.quote), coalesce(s.quote, f.quote)) AS quote,
        if(k.api_held, coalesce(f.review_language_note, s.review_language_note), coalesce(s.review_language_note, f.review_language_note)) AS review_language_note,
        if(k.api_held, coalesce(f.score_raw, s.score_raw), coalesce(s.score_raw, f.score_raw)) AS score_raw,
        if((k.api_held AND f.score_status <> 'empty') OR s.score_status = 'empty', f.score_value, s.score_value) AS score_value,
        if((k.api_held AND f.score_status <> 'empty') OR s.score_status = 'empty', f.score_scale, s.score_scale) AS score_scale,
        if((k.api_held AND f.score_status <> 'empty') OR s.score_status = 'empty', f.score_normalized, s.score_normalized) AS score_normalized,
        if((k.api_held AND f.score_status <> 'empty') OR s.score_status = 'empty', f.score_kind, s.score_kind) AS score_kind,
        if((k.api_held AND f.score_status <> 'empty') OR s.score_status = 'empty', f.score_status, s.score_status) AS score_status,
        if(k.api_held, coalesce(f.is_fresh, s.is_fresh), coalesce(s.is_fresh, f.is_fresh)) AS is_fresh,
        if(k.api_held, coalesce(f.is_top_critic, s.is_top_critic), coalesce(s.is_top_critic, f.is_top_critic)) AS is_top_critic,
        if(k.api_held, coalesce(f.review_url, s.review_url), coalesce(s.review_url, f.review_url)) AS review_url,
        if(k.api_held, coalesce(f.date_raw, s.date_raw), coalesce(s.date_raw, f.date_raw)) AS date_raw,
        if(k.api_held, coalesce(f.source_review_id, s.source_review_id), coalesce(s.source_review_id, f.source_review_id)) AS source_review_id,
        if(k.api_held, f.source_url, s.source_url) AS source_url,
        if(k.api_held, f.source_layout, s.source_layout) AS source_layout,
        if(k.api_held, f.page_number, s.page_number) AS page_number,
        if(k.api_held, f.fetched_at, s.fetched_at) AS fetched_at
    FROM batch_reviews AS s
    JOIN fct_reviews AS f USING (review_id)
    -- A card read again (its date only as precise as "3d") never overrides what RT's review
    -- API gave for the same review: it only fills the gaps the API left.
    CROSS JOIN LATERAL (
        SELECT f.source_layout = 'rt_api' AND s.source_layout IS DISTINCT FROM 'rt_api' AS api_held
    ) AS k
) AS c
WHERE t.review_id = c.review_id
  AND ROW(t.movie_id, t.critic_id, t.publication_id, t.review_date, t.quote,
          t.review_language_note, t.score_raw, t.score_value, t.score_scale,
          t.score_normalized, t.score_kind, t.score_status, t.is_fresh, t.is_top_critic,
          t.review_url, t.date_raw, t.source_review_id)
      IS DISTINCT FROM
      ROW(c.movie_id, c.critic_id, c.publication_id, c.review_date, c.quote,
          c.review_language_note, c.score_raw, c.score_value, c.score_scale,
          c.score_normalized, c.score_kind, c.score_status, c.is_fresh, c.is_top_critic,
          c.review_url, c.date_raw, c.source_review_id);
