-- monthly_reviews: one row per calendar month of review dates.
CREATE OR REPLACE VIEW monthly_reviews AS
SELECT
    CAST(date_trunc('month', review_date) AS DATE)                     AS month,
    count(*)                                                            AS reviews,
    count(score_normalized)                                             AS scored_reviews,
    round(avg(score_normalized), 3)                                     AS mean_score,
    round(count(*) FILTER (WHERE is_fresh) / nullif(count(is_fresh), 0), 3)
                                                                        AS share_fresh,
    count(DISTINCT movie_id)                                            AS movies,
    count(DISTINCT critic_id)                                           AS critics
FROM fct_reviews
WHERE review_date IS NOT NULL
GROUP BY ALL;
