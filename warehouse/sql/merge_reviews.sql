-- Apply review_changes (from classify_reviews.sql) to fct_reviews.
-- New reviews are inserted; changed ones updated; unchanged ones are not touched, so their
-- last_run_id keeps naming the run that last changed them. $run_id, $now: the loading run.

INSERT INTO fct_reviews BY NAME
SELECT
    * EXCLUDE (change),
    $run_id AS first_run_id,
    $run_id AS last_run_id,
    $now AS loaded_at,
    $now AS updated_at
FROM review_changes
WHERE change = 'new';

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
    last_run_id = $run_id,
    updated_at = $now
FROM review_changes AS c
WHERE t.review_id = c.review_id AND c.change = 'updated';
