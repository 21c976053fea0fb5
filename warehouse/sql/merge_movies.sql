-- Upsert movies (registered as batch_movies, one row per movie_id): the movies of this run's
-- reviews, then those of its score snapshots. A value already known is never replaced by a
-- missing one, and a title stated on a page wins over one made from a slug.
-- $run_id: the loading run.
MERGE INTO dim_movies AS t
USING (
    SELECT
        s.movie_id,
        s.movie_key,
        coalesce(s.movie_slug, d.movie_slug) AS movie_slug,
        CASE WHEN s.movie_title_source = 'stated' OR d.movie_title_source IS DISTINCT FROM 'stated'
             THEN coalesce(s.movie_title, d.movie_title) ELSE d.movie_title END AS movie_title,
        CASE WHEN s.movie_title_source = 'stated' OR d.movie_title_source IS DISTINCT FROM 'stated'
             THEN coalesce(s.movie_title_source, d.movie_title_source)
             ELSE d.movie_title_source END AS movie_title_source,
        coalesce(s.movie_year, d.movie_year) AS movie_year
    FROM batch_movies AS s
    LEFT JOIN dim_movies AS d USING (movie_id)
) AS s
ON t.movie_id = s.movie_id
WHEN MATCHED AND ROW(t.movie_slug, t.movie_title, t.movie_title_source, t.movie_year)
    IS DISTINCT FROM ROW(s.movie_slug, s.movie_title, s.movie_title_source, s.movie_year)
THEN UPDATE SET
    movie_slug = s.movie_slug,
    movie_title = s.movie_title,
    movie_title_source = s.movie_title_source,
    movie_year = s.movie_year,
    last_run_id = $run_id
WHEN NOT MATCHED THEN INSERT
    (movie_id, movie_key, movie_slug, movie_title, movie_title_source, movie_year,
     first_run_id, last_run_id)
VALUES
    (s.movie_id, s.movie_key, s.movie_slug, s.movie_title, s.movie_title_source, s.movie_year,
     $run_id, $run_id);
