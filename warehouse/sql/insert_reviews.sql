-- Insert the reviews of this run (batch_reviews) the warehouse does not hold yet.
-- $run_id, $now: the loading run. Returns the number of rows inserted.
INSERT INTO fct_reviews BY NAME
SELECT
    s.* EXCLUDE (movie_key, movie_slug, movie_title, movie_title_source, movie_year,
                 critic_key, critic_name, critic_url, publication_key, publication_name,
                 publication_url),
    $run_id AS first_run_id,
    $run_id AS last_run_id,
    $now AS loaded_at,
    $now AS updated_at
FROM batch_reviews AS s
ANTI JOIN fct_reviews AS t USING (review_id);
