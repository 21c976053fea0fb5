-- Upsert this run's critics and publications (registered as batch_critics,
-- batch_publications). A value already known is never replaced by a missing one.
-- $run_id: the loading run. Movies: merge_movies.sql.

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
