-- The review facts with their movie, critic and publication, for Parquet export;
-- review_year is the partition column (0 for reviews without a date).
SELECT
    r.*,
    coalesce(year(r.review_date), 0) AS review_year
FROM reviews AS r
