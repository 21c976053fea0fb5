-- score_format_mix: one row per (score_kind, score_status): how critics write their scores.
CREATE OR REPLACE VIEW score_format_mix AS
SELECT
    coalesce(score_kind, '(none)')                                      AS score_kind,
    score_status,
    count(*)                                                            AS reviews,
    round(count(*) / sum(count(*)) OVER (), 4)                          AS share,
    mode(score_raw)                                                     AS most_common_raw,
    round(avg(score_normalized), 3)                                     AS mean_score
FROM fct_reviews
GROUP BY ALL;
