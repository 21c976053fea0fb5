-- Record this run's pages (registered as batch_pages_seen): new versions inserted, versions
-- seen again get their last_seen_at and last_run_id moved on. $run_id: the loading run.
MERGE INTO pages AS t
USING batch_pages_seen AS s
ON t.url = s.url AND t.content_hash = s.content_hash
WHEN MATCHED THEN UPDATE SET
    last_seen_at = s.last_seen_at,
    last_run_id = $run_id,
    etag = coalesce(s.etag, t.etag),
    last_modified = coalesce(s.last_modified, t.last_modified),
    layout = coalesce(s.layout, t.layout),
    reviews_parsed = coalesce(s.reviews_parsed, t.reviews_parsed),
    file_mtime_ns = coalesce(s.file_mtime_ns, t.file_mtime_ns),
    links = coalesce(s.links, t.links)
WHEN NOT MATCHED THEN INSERT (
    url, content_hash, body_path, source_kind, http_status, content_type, etag, last_modified,
    headers, byte_size, file_mtime_ns, layout, reviews_parsed, fetched_at, last_seen_at,
    first_run_id, last_run_id, links
) VALUES (
    s.url, s.content_hash, s.body_path, s.source_kind, s.http_status, s.content_type, s.etag,
    s.last_modified, s.headers::JSON, s.byte_size, s.file_mtime_ns, s.layout, s.reviews_parsed,
    s.fetched_at, s.last_seen_at, $run_id, $run_id, s.links
);
