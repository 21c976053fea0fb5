-- Insert this run's score snapshots (registered as batch_score_snapshots) that the warehouse
-- does not hold yet, keyed by (movie_id, captured_at, source_url): reloading the same stored
-- page adds nothing, nor does the same capture twice in one batch.
-- $run_id, $now: the loading run. Returns the number of rows inserted.
INSERT INTO movie_score_snapshots (
    movie_id, captured_at, run_id, source_url, tomatometer, tomatometer_sentiment,
    certified_fresh, critic_review_count, critic_liked, critic_not_liked,
    critic_average_rating, top_critics_tomatometer, popcornmeter, popcornmeter_certified,
    audience_rating_count, loaded_at
)
SELECT
    s.movie_id, s.captured_at, $run_id, s.source_url, s.tomatometer, s.tomatometer_sentiment,
    s.certified_fresh, s.critic_review_count, s.critic_liked, s.critic_not_liked,
    s.critic_average_rating, s.top_critics_tomatometer, s.popcornmeter,
    s.popcornmeter_certified, s.audience_rating_count, $now
FROM batch_score_snapshots AS s
WHERE NOT EXISTS (
    SELECT 1
    FROM movie_score_snapshots AS t
    WHERE t.movie_id = s.movie_id
      AND t.captured_at = s.captured_at
      AND t.source_url IS NOT DISTINCT FROM s.source_url
)
QUALIFY row_number() OVER (
    PARTITION BY s.movie_id, s.captured_at, s.source_url ORDER BY s.tomatometer NULLS LAST
) = 1;
