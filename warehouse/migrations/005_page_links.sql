-- 005: the links a page carries to its other pages (pagination, next-page cursors), as found
-- when it was fetched. A re-run that gets a 304 follows them without re-reading the body.
ALTER TABLE pages ADD COLUMN IF NOT EXISTS links VARCHAR[];
