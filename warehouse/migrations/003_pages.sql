-- 003: the raw layer. Every page read (fetched or local) with what fetching learned, and the
-- records parsed from it, as parsed.

-- grain: one row per (url, content_hash): each version of each page seen
CREATE TABLE IF NOT EXISTS pages (
    url             VARCHAR NOT NULL,          -- normalised URL, or the file's URI
    content_hash    VARCHAR NOT NULL,          -- sha256 of the body
    body_path       VARCHAR,                   -- raw store file (zstd), or the local file
    source_kind     VARCHAR NOT NULL,          -- web | file | dataset
    http_status     INTEGER,
    content_type    VARCHAR,
    etag            VARCHAR,
    last_modified   VARCHAR,
    headers         JSON,
    byte_size       BIGINT,
    file_mtime_ns   BIGINT,                    -- local files: unchanged size and mtime skip re-reading
    layout          VARCHAR,
    reviews_parsed  INTEGER,
    fetched_at      TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    first_run_id    VARCHAR NOT NULL,
    last_run_id     VARCHAR NOT NULL
);
