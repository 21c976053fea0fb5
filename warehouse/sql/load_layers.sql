-- Keep the raw layer (batch_raw): the records of every page parsed again replace that
-- page's earlier records, unless they are the same records. Pages are compared by record
-- count and the sum of their records' hashes, so re-reading unchanged pages rewrites
-- nothing and their rows keep the run_id of the run that last changed them.
-- $run_id: the loading run.
CREATE OR REPLACE TEMP TABLE unchanged_raw_pages AS
WITH stored AS (
    SELECT source_url, count(*) AS records, sum(hash(k)) AS digest
    FROM (
        SELECT source_url, record_number, source_layout, page_number, fetched_at,
               movie_title, movie_slug, movie_year, movie_ref, critic_name, critic_url,
               publication, publication_url, is_top_critic, sentiment, score_raw, date_raw,
               quote_raw, review_url
        FROM raw_reviews
        WHERE source_url IN (SELECT source_url FROM batch_raw)
    ) AS k
    GROUP BY source_url
),
batch AS (
    SELECT source_url, count(*) AS records, sum(hash(k)) AS digest
    FROM (
        SELECT source_url, record_number, source_layout, page_number, fetched_at,
               movie_title, movie_slug, movie_year, movie_ref, critic_name, critic_url,
               publication, publication_url, is_top_critic, sentiment, score_raw, date_raw,
               quote_raw, review_url
        FROM batch_raw
        WHERE source_url IN (SELECT source_url FROM stored)
    ) AS k
    GROUP BY source_url
)
SELECT source_url FROM stored JOIN batch USING (source_url, records, digest);

DELETE FROM raw_reviews
WHERE source_url IN (SELECT source_url FROM batch_raw)
  AND source_url NOT IN (SELECT source_url FROM unchanged_raw_pages);

INSERT INTO raw_reviews BY NAME
SELECT *, $run_id AS run_id
FROM batch_raw
WHERE source_url NOT IN (SELECT source_url FROM unchanged_raw_pages);

DROP TABLE unchanged_raw_pages;
