-- The movies of this run's score snapshots (registered as batch_score_snapshots), one row per
-- movie_id, in the shape merge_movies.sql takes: a title with a scorecard and no reviews yet
-- is still a movie. Of a movie's captures, a stated title first, then the latest capture.
SELECT movie_id, movie_key, movie_slug, movie_title, movie_title_source, movie_year
FROM batch_score_snapshots
QUALIFY row_number() OVER (
    PARTITION BY movie_id
    ORDER BY movie_title_source = 'stated' DESC NULLS LAST, captured_at DESC, source_url
) = 1
