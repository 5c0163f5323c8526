-- The page properties both sides agreed on (JSON), for front matter ↔ properties.
ALTER TABLE sync_items ADD COLUMN properties TEXT NOT NULL DEFAULT '{}';
