-- How many reviews the warehouse holds per movie from the given pages (registered as
-- batch_pages(url)): what a re-read of those pages is compared with.
SELECT movie_id, count(*) AS reviews
FROM fct_reviews
WHERE source_url IN (SELECT url FROM batch_pages)
GROUP BY movie_id
