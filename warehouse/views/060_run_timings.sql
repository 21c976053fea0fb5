-- Where each run's time went, a column per stage (seconds), for `reviewhouse runs`, the
-- DuckDB shell and dashboards: start-up (the process starting: the interpreter, imports,
-- Prefect's server; 0 for a later run in the same process), fetch, parse (with transform),
-- validate, and load (the merge after validation; the raw records go in beside
-- validation). run_seconds is the flow's own time, from its start to its row. The command's
-- shut-down after that (Prefect's last logs, stopping its temporary server) is in the
-- summary line the command prints: the row is written before it happens.
CREATE OR REPLACE VIEW run_timings AS
SELECT
    run_id,
    flow_name,
    status,
    started_at,
    CAST(json_extract(stage_seconds, '$.startup') AS DOUBLE) AS startup_seconds,
    CAST(json_extract(stage_seconds, '$.fetch') AS DOUBLE) AS fetch_seconds,
    CAST(coalesce(json_extract(stage_seconds, '$.parse'),
                  json_extract(stage_seconds, '$.parse_transform')) AS DOUBLE) AS parse_seconds,
    CAST(json_extract(stage_seconds, '$.validate') AS DOUBLE) AS validate_seconds,
    CAST(json_extract(stage_seconds, '$.load') AS DOUBLE) AS load_seconds,
    round(epoch(ended_at - started_at), 3) AS run_seconds,
    pages_read,
    reviews_loaded
FROM etl_runs;
