-- The latest stored version of every page: what conditional requests and change checks need.
SELECT url, source_kind, content_hash, body_path, etag, last_modified, byte_size, file_mtime_ns,
       links
FROM pages
QUALIFY row_number() OVER (PARTITION BY url ORDER BY last_seen_at DESC, fetched_at DESC) = 1
