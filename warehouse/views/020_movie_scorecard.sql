-- movie_scorecard: one row per movie.
-- tomatometer: % of flagged reviews marked fresh, shown only once 5 reviews are flagged
-- (Rotten Tomatoes' own rule); mean_score is the mean normalised score (0..1).
CREATE OR REPLACE VIEW movie_scorecard AS
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
GROUP BY ALL;
