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
        coalesce(s.movie_id, f.movie_id)                         AS movie_id,
        coalesce(s.critic_id, f.critic_id)                       AS critic_id,
        coalesce(s.publication_id, f.publication_id)             AS publication_id,
        coalesce(s.review_date, f.review_date)                   AS review_date,
        coalesce(s.quote, f.quote)                               AS quote,
        coalesce(s.review_language_note, f.review_language_note) AS review_language_note,
        coalesce(s.score_raw, f.score_raw)                       AS score_raw,
        if(s.score_status = 'empty', f.score_value, s.score_value)           AS score_value,
        if(s.score_status = 'empty', f.score_scale, s.score_scale)           AS score_scale,
        if(s.score_status = 'empty', f.score_normalized, s.score_normalized) AS score_normalized,
        if(s.score_status = 'empty', f.score_kind, s.score_kind)             AS score_kind,
        if(s.score_status = 'empty', f.score_status, s.score_status)         AS score_status,
        coalesce(s.is_fresh, f.is_fresh)                         AS is_fresh,
        coalesce(s.is_top_critic, f.is_top_critic)               AS is_top_critic,
        coalesce(s.review_url, f.review_url)                     AS review_url,
        coalesce(s.date_raw, f.date_raw)                         AS date_raw,
        coalesce(s.source_review_id, f.source_review_id)         AS source_review_id,
        s.source_url,
        s.source_layout,
        s.page_number,
        s.fetched_at
    FROM batch_reviews AS s
    JOIN fct_reviews AS f USING (review_id)
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
