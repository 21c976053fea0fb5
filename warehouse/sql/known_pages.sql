-- The latest stored version of every page: what conditional requests and change checks need,
-- and the URL its crawl started from (what a page re-read unchanged is parsed with).
SELECT url, source_kind, content_hash, body_path, etag, last_modified, byte_size, file_mtime_ns,
       links, start_url
FROM pages
QUALIFY row_number() OVER (PARTITION BY url ORDER BY last_seen_at DESC, fetched_at DESC) = 1
