-- movie_scorecard: one row per movie.
-- tomatometer: % of flagged reviews marked fresh, shown only once 5 reviews are flagged
-- (Rotten Tomatoes' own rule); mean_score is the mean normalised score (0..1).
-- rt_*: Rotten Tomatoes' own numbers from the movie's latest score snapshot (NULL for a movie
-- never seen with a scorecard); tomatometer_gap = tomatometer - rt_tomatometer, in points:
-- above 0 the reviews in this warehouse are fresher than RT's count.
CREATE OR REPLACE VIEW movie_scorecard AS
WITH computed AS (
    SELECT
        m.movie_id,
        m.movie_title,
        m.movie_year,
        m.movie_slug,
        count(r.review_id)                                           AS reviews,
        count(r.score_normalized)                                    AS scored_reviews,
        round(avg(r.score_normalized), 3)                            AS mean_score,
        count(r.is_fresh)                                            AS flagged_reviews,
        CASE WHEN count(r.is_fresh) >= 5
             THEN round(100.0 * count(*) FILTER (WHERE r.is_fresh) / count(r.is_fresh), 1)
        END                                                          AS tomatometer,
        CASE WHEN count(r.is_fresh) FILTER (WHERE r.is_top_critic) > 0
             THEN round(100.0 * count(*) FILTER (WHERE r.is_fresh AND r.is_top_critic)
                        / count(r.is_fresh) FILTER (WHERE r.is_top_critic), 1)
        END                                                          AS top_critic_pct_fresh,
        min(r.review_date)                                           AS first_review_date,
        max(r.review_date)                                           AS last_review_date
    FROM dim_movies AS m
    LEFT JOIN fct_reviews AS r USING (movie_id)
    GROUP BY ALL
),
latest_rt AS (
    SELECT movie_id, tomatometer, critic_review_count, certified_fresh, captured_at
    FROM movie_score_snapshots
    QUALIFY row_number() OVER (
        PARTITION BY movie_id ORDER BY captured_at DESC, tomatometer IS NULL, source_url
    ) = 1
)
SELECT
    c.*,
    rt.tomatometer                                                   AS rt_tomatometer,
    rt.critic_review_count                                           AS rt_review_count,
    rt.certified_fresh                                               AS rt_certified_fresh,
    rt.captured_at                                                   AS rt_captured_at,
    round(c.tomatometer - rt.tomatometer, 1)                         AS tomatometer_gap
FROM computed AS c
LEFT JOIN latest_rt AS rt USING (movie_id);
