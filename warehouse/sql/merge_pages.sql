-- Record this run's pages (registered as batch_pages_seen): versions seen again get their
-- last_seen_at and last_run_id moved on, and facts learned anew filled in; new versions are
-- inserted. $run_id: the loading run. start_url: the URL the crawl that reached the page
-- started from (a batch without the column is given a NULL one by the load).
-- Three statements rather than one MERGE: a MERGE rewrites every matched row's `links`
-- list, where a re-run over unchanged pages needs only two columns moved on.
UPDATE pages AS t
SET last_seen_at = s.last_seen_at, last_run_id = $run_id
FROM batch_pages_seen AS s
WHERE t.url = s.url AND t.content_hash = s.content_hash;

UPDATE pages AS t
SET
    etag = coalesce(s.etag, t.etag),
    last_modified = coalesce(s.last_modified, t.last_modified),
    layout = coalesce(s.layout, t.layout),
    reviews_parsed = coalesce(s.reviews_parsed, t.reviews_parsed),
    file_mtime_ns = coalesce(s.file_mtime_ns, t.file_mtime_ns),
    links = coalesce(s.links, t.links),
    start_url = coalesce(s.start_url, t.start_url)
FROM batch_pages_seen AS s
WHERE t.url = s.url AND t.content_hash = s.content_hash
  AND ROW(t.etag, t.last_modified, t.layout, t.reviews_parsed, t.file_mtime_ns, t.links,
          t.start_url)
      IS DISTINCT FROM
      ROW(coalesce(s.etag, t.etag), coalesce(s.last_modified, t.last_modified),
          coalesce(s.layout, t.layout), coalesce(s.reviews_parsed, t.reviews_parsed),
          coalesce(s.file_mtime_ns, t.file_mtime_ns), coalesce(s.links, t.links),
          coalesce(s.start_url, t.start_url));

INSERT INTO pages (
    url, content_hash, body_path, source_kind, http_status, content_type, etag, last_modified,
    headers, byte_size, file_mtime_ns, layout, reviews_parsed, fetched_at, last_seen_at,
    first_run_id, last_run_id, links, start_url
)
SELECT
    s.url, s.content_hash, s.body_path, s.source_kind, s.http_status, s.content_type, s.etag,
    s.last_modified, s.headers::JSON, s.byte_size, s.file_mtime_ns, s.layout, s.reviews_parsed,
    s.fetched_at, s.last_seen_at, $run_id, $run_id, s.links, s.start_url
FROM batch_pages_seen AS s
ANTI JOIN pages AS t USING (url, content_hash);
