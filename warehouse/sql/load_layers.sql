-- Keep the raw and staging layers (batch_raw, batch_reviews) for this run: the records of
-- every page parsed again replace that page's earlier records; staging holds this run only.
-- $run_id: the loading run.
DELETE FROM raw_reviews WHERE source_url IN (SELECT DISTINCT source_url FROM batch_raw);

INSERT INTO raw_reviews BY NAME SELECT *, $run_id AS run_id FROM batch_raw;

DELETE FROM stg_reviews;

INSERT INTO stg_reviews BY NAME SELECT *, $run_id AS run_id FROM batch_reviews;
