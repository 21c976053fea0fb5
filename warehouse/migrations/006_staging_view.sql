-- 006: staging becomes a view. The typed, normalised rows are already in the marts with
-- their natural keys in the dimensions; keeping a third copy of every quote (after
-- raw_reviews and fct_reviews) cost the nightly load as much as the facts themselves.
-- views/005_stg_reviews.sql re-creates stg_reviews as a view over the marts.
DROP TABLE IF EXISTS stg_reviews;
