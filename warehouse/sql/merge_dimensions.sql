-- Upsert this run's dimension rows (registered as batch_movies, batch_critics,
-- batch_publications). A value already known is never replaced by a missing one, and a
-- title stated on a page wins over one made from a slug. $run_id: the loading run.

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

MERGE INTO dim_critics AS t
USING (
    SELECT
        s.critic_id,
        s.critic_key,
        coalesce(s.critic_name, d.critic_name) AS critic_name,
        coalesce(s.critic_url, d.critic_url) AS critic_url
    FROM batch_critics AS s
    LEFT JOIN dim_critics AS d USING (critic_id)
) AS s
ON t.critic_id = s.critic_id
WHEN MATCHED AND ROW(t.critic_name, t.critic_url) IS DISTINCT FROM ROW(s.critic_name, s.critic_url)
THEN UPDATE SET critic_name = s.critic_name, critic_url = s.critic_url, last_run_id = $run_id
WHEN NOT MATCHED THEN INSERT
    (critic_id, critic_key, critic_name, critic_url, first_run_id, last_run_id)
VALUES
    (s.critic_id, s.critic_key, s.critic_name, s.critic_url, $run_id, $run_id);

MERGE INTO dim_publications AS t
USING (
    SELECT
        s.publication_id,
        s.publication_key,
        coalesce(s.publication_name, d.publication_name) AS publication_name,
        coalesce(s.publication_url, d.publication_url) AS publication_url
    FROM batch_publications AS s
    LEFT JOIN dim_publications AS d USING (publication_id)
) AS s
ON t.publication_id = s.publication_id
WHEN MATCHED AND ROW(t.publication_name, t.publication_url)
    IS DISTINCT FROM ROW(s.publication_name, s.publication_url)
THEN UPDATE SET
    publication_name = s.publication_name,
    publication_url = s.publication_url,
    last_run_id = $run_id
WHEN NOT MATCHED THEN INSERT
    (publication_id, publication_key, publication_name, publication_url,
     first_run_id, last_run_id)
VALUES
    (s.publication_id, s.publication_key, s.publication_name, s.publication_url,
     $run_id, $run_id);
