-- 002: every expectation evaluated in every run, so the shell can answer
-- "what failed last night".

-- grain: one row per expectation evaluated in a run
CREATE TABLE IF NOT EXISTS validation_results (
    run_id            VARCHAR NOT NULL,
    suite             VARCHAR NOT NULL,
    expectation       VARCHAR NOT NULL,
    column_name       VARCHAR,
    tier              VARCHAR,                 -- row | batch | warning
    severity          VARCHAR,
    success           BOOLEAN NOT NULL,
    observed_value    JSON,
    unexpected_count  BIGINT,
    element_count     BIGINT,
    reason            VARCHAR,
    validated_at      TIMESTAMPTZ NOT NULL
);
