-- The latest stored version of each page, for re-parsing without the network; start_url is
-- the URL its crawl started from (an API page's movie comes from it).
-- $since: only pages fetched on or after this date (NULL: all);
-- $layout: only pages this layout parsed ('unknown': pages no parser recognised; NULL: all).
WITH latest AS (
    SELECT *
    FROM pages
    QUALIFY row_number() OVER (PARTITION BY url ORDER BY last_seen_at DESC, fetched_at DESC) = 1
)
SELECT url, body_path, source_kind, content_type, fetched_at, layout, content_hash, start_url
FROM latest
WHERE ($since IS NULL OR fetched_at >= $since)
  AND ($layout IS NULL OR layout = $layout OR ($layout = 'unknown' AND layout IS NULL))
ORDER BY url
