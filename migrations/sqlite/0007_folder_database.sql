-- Folder ↔ database mappings (SPEC §4): items keyed by their Notion page, what the relay last
-- saw of the database's rows, and a write-ahead journal of intended Notion writes (G5).

-- An item's freshness: the row's `last_edited_time` and `last_edited_by` when its base was
-- confirmed (Unix ms; after our own write: Notion's answer to it), and when the relay last
-- confirmed the base against Notion (Unix ms). `sync_id` is the id a row the relay created
-- carries in its `Sync ID` property.
ALTER TABLE sync_items ADD COLUMN remote_edited_at_ms BIGINT;
ALTER TABLE sync_items ADD COLUMN remote_edited_by TEXT;
ALTER TABLE sync_items ADD COLUMN synced_at_ms BIGINT;
ALTER TABLE sync_items ADD COLUMN sync_id TEXT;
-- Renames change an item's path, never its page: one item per page.
CREATE UNIQUE INDEX sync_items_page ON sync_items (mapping_id, notion_page_id) WHERE notion_page_id <> '';

-- The Notion side of a folder mapping.
CREATE TABLE folder_state (
    mapping_id TEXT PRIMARY KEY REFERENCES sync_mappings (id) ON DELETE CASCADE,
    database_id TEXT,
    data_source_id TEXT,
    -- 1 when the relay created the database (it may then add properties for new front matter keys)
    created_database BIGINT NOT NULL DEFAULT 0,
    -- property name → Notion type (JSON), as last seen
    schema_json TEXT NOT NULL DEFAULT '{}',
    -- the latest row `last_edited_time` seen (Unix ms, Notion's clock): the next query asks for
    -- rows edited since a minute before it
    cursor_ms BIGINT,
    -- deletions the mass-deletion guard held back (JSON list of paths), awaiting confirmation
    held_deletions TEXT,
    updated_at BIGINT NOT NULL
);

-- The rows of the database as the relay last saw them (one query per sync returns only the rows
-- edited since; the rest are known from here).
CREATE TABLE folder_rows (
    mapping_id TEXT NOT NULL REFERENCES sync_mappings (id) ON DELETE CASCADE,
    page_id TEXT NOT NULL,
    title TEXT NOT NULL,
    -- engine property values (JSON), title and `Sync ID` excluded
    properties TEXT NOT NULL,
    sync_id TEXT,
    last_edited_ms BIGINT,
    last_edited_by TEXT,
    created_by TEXT,
    in_trash BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mapping_id, page_id)
);

-- Write-ahead journal of Notion writes: an entry is written before the call and completed after
-- it. An entry still pending at the next session had an unknown outcome (timeout, lost answer,
-- crash): the relay looks for its result before writing again.
CREATE TABLE notion_journal (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    mapping_id TEXT NOT NULL REFERENCES sync_mappings (id) ON DELETE CASCADE,
    -- 'create_row' | 'update_row' | 'trash_row' | 'create_database'
    op TEXT NOT NULL,
    page_id TEXT,
    path TEXT NOT NULL,
    -- the id the created row (or database) carries, to find it again
    sync_id TEXT,
    -- what the write should leave behind (JSON)
    payload TEXT NOT NULL,
    -- 'pending' | 'done' | 'failed' (refused: not applied) | 'abandoned' (looked for, not found)
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX notion_journal_pending ON notion_journal (mapping_id, status);
