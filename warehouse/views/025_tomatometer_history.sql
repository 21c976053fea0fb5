-- tomatometer_history: one row per movie per day (UTC) with a score snapshot: RT's numbers as
-- the day's last capture showed them. tomatometer_change is the Tomatometer's change since
-- the movie's previous day in this history (NULL on its first day, or when either is NULL).
CREATE OR REPLACE VIEW tomatometer_history AS
WITH days AS (
    SELECT
        s.*,
        CAST(timezone('UTC', s.captured_at) AS DATE) AS day
    FROM movie_score_snapshots AS s
    QUALIFY row_number() OVER (
        PARTITION BY s.movie_id, day ORDER BY s.captured_at DESC, s.tomatometer IS NULL, s.source_url
    ) = 1
)
SELECT
    d.movie_id,
    m.movie_title,
    m.movie_year,
    d.day,
    d.captured_at,
    d.tomatometer,
    d.tomatometer
        - lag(d.tomatometer) OVER (PARTITION BY d.movie_id ORDER BY d.day) AS tomatometer_change,
    d.tomatometer_sentiment,
    d.certified_fresh,
    d.critic_review_count,
    d.critic_liked,
    d.critic_not_liked,
    d.critic_average_rating,
    d.top_critics_tomatometer,
    d.popcornmeter,
    d.popcornmeter_certified,
    d.audience_rating_count,
    d.source_url,
    d.run_id
FROM days AS d
LEFT JOIN dim_movies AS m USING (movie_id);
