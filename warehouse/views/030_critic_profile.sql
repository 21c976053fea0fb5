-- critic_profile: one row per critic.
-- leniency: the mean, over the critic's scored reviews, of (their score - that movie's mean
-- score over all critics); above 0 the critic scores higher than their peers.
CREATE OR REPLACE VIEW critic_profile AS
WITH movie_means AS (
    SELECT movie_id, avg(score_normalized) AS movie_mean_score
    FROM fct_reviews
    WHERE score_normalized IS NOT NULL
    GROUP BY movie_id
)
SELECT
    c.critic_id,
    c.critic_name,
    count(r.review_id)                                                  AS reviews,
    count(r.score_normalized)                                           AS scored_reviews,
    round(avg(r.score_normalized), 3)                                   AS mean_score,
    round(count(*) FILTER (WHERE r.is_fresh) / nullif(count(r.is_fresh), 0), 3)
                                                                        AS share_fresh,
    round(avg(r.score_normalized - m.movie_mean_score), 3)             AS leniency,
    count(DISTINCT r.movie_id)                                          AS movies,
    count(DISTINCT r.publication_id)                                    AS publications,
    min(r.review_date)                                                  AS first_review_date,
    max(r.review_date)                                                  AS last_review_date
FROM dim_critics AS c
JOIN fct_reviews AS r USING (critic_id)
LEFT JOIN movie_means AS m USING (movie_id)
GROUP BY ALL;
