-- Record (or finish) one run in etl_runs.
DELETE FROM etl_runs WHERE run_id = $run_id;

INSERT INTO etl_runs (
    run_id, flow_run_id, flow_name, started_at, ended_at, status, parameters, sources,
    pages_read, pages_failed, pages_skipped, reviews_parsed, reviews_quarantined,
    reviews_loaded, reviews_new, reviews_updated, reviews_unchanged, stage_seconds,
    warnings, report_path, error_summary
) VALUES (
    $run_id, $flow_run_id, $flow_name, $started_at, $ended_at, $status, $parameters::JSON,
    $sources, $pages_read, $pages_failed, $pages_skipped, $reviews_parsed,
    $reviews_quarantined, $reviews_loaded, $reviews_new, $reviews_updated,
    $reviews_unchanged, $stage_seconds::JSON, $warnings::JSON, $report_path, $error_summary
);
