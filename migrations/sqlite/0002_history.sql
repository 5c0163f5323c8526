-- Append-only history: every version one side replaced, restorable (G16).
-- Contents are stored once per user and hash (content-addressed), so re-recording a version
-- that is already there costs one small row.
CREATE TABLE revision_blobs (
    user_id BIGINT NOT NULL,
    hash TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (user_id, hash)
);

CREATE TABLE revisions (
    -- Insertion order: the history's order, even within one second.
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL,
    mapping_id TEXT,
    path TEXT NOT NULL,
    -- 'repl' (a file's content) or 'notion' (a page's Markdown as Notion gave it)
    side TEXT NOT NULL,
    -- why it was replaced: 'pull', 'push', 'restore', 'resolve'
    reason TEXT NOT NULL,
    hash TEXT NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX revisions_user_path ON revisions (user_id, path, created_at);
