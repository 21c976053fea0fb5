-- Keep the raw layer (batch_raw): the records of every page parsed again replace that
-- page's earlier records, unless they are the same records. Pages are compared by record
-- count and the sum of their records' hashes, so re-reading unchanged pages rewrites
-- nothing and their rows keep the run_id of the run that last changed them.
-- $run_id: the loading run.
CREATE OR REPLACE TEMP TABLE unchanged_raw_pages AS
WITH records AS (
    SELECT 'stored' AS side, * EXCLUDE (run_id)
    FROM raw_reviews
    WHERE source_url IN (SELECT source_url FROM batch_raw)
    UNION ALL BY NAME
    SELECT 'batch' AS side, *
    FROM batch_raw
    WHERE source_url IN (SELECT source_url FROM raw_reviews)
),
pages AS (
    SELECT side, source_url, count(*) AS records,
           sum(hash(struct_pack(*COLUMNS(* EXCLUDE (side))))) AS digest
    FROM records
    GROUP BY side, source_url
)
SELECT source_url
FROM (SELECT * FROM pages WHERE side = 'stored') AS stored
JOIN (SELECT * FROM pages WHERE side = 'batch') AS batch USING (source_url, records, digest);

DELETE FROM raw_reviews
WHERE source_url IN (SELECT source_url FROM batch_raw)
  AND source_url NOT IN (SELECT source_url FROM unchanged_raw_pages);

INSERT INTO raw_reviews BY NAME
SELECT *, $run_id AS run_id
FROM batch_raw
WHERE source_url NOT IN (SELECT source_url FROM unchanged_raw_pages);

DROP TABLE unchanged_raw_pages;
