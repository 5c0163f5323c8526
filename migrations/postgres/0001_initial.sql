-- A Notion workspace connected by a Replit user. Tokens are sealed with SECRET_KEY (AEAD).
CREATE TABLE sync_configurations (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    installation_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    workspace_name TEXT NOT NULL,
    workspace_icon TEXT,
    bot_id TEXT NOT NULL,
    access_token_enc TEXT NOT NULL,
    refresh_token_enc TEXT,
    sync_frequency_secs BIGINT NOT NULL DEFAULT 300,
    last_sync_at BIGINT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX sync_configurations_user ON sync_configurations (user_id);

-- A path in a Repl bound to a Notion target.
CREATE TABLE sync_mappings (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    configuration_id TEXT NOT NULL REFERENCES sync_configurations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    repl_id TEXT,
    path TEXT NOT NULL,
    notion_page_id TEXT,
    notion_parent_page_id TEXT,
    notion_url TEXT,
    title TEXT,
    direction TEXT NOT NULL,
    strategy TEXT NOT NULL,
    rules TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'never_synced',
    last_synced_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sync_mappings_user ON sync_mappings (user_id);

-- The base of each synced item: what both sides last agreed on.
CREATE TABLE sync_items (
    mapping_id TEXT NOT NULL REFERENCES sync_mappings (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    notion_page_id TEXT NOT NULL,
    local_hash TEXT NOT NULL,
    remote_hash TEXT NOT NULL,
    base_text TEXT NOT NULL,
    remote_markdown TEXT NOT NULL,
    title TEXT NOT NULL,
    title_from_h1 BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (mapping_id, path)
);

-- A sync session between its steps (any relay replica can continue it).
CREATE TABLE sync_sessions (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    mapping_id TEXT NOT NULL REFERENCES sync_mappings (id) ON DELETE CASCADE,
    stage TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE conflicts (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    mapping_id TEXT NOT NULL REFERENCES sync_mappings (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    base_text TEXT NOT NULL,
    local_text TEXT,
    remote_text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_at BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX conflicts_user ON conflicts (user_id, status);

CREATE TABLE sync_logs (
    -- Insertion order: "the latest runs", even within one second.
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL,
    mapping_id TEXT,
    operation TEXT NOT NULL,
    status TEXT NOT NULL,
    records_processed BIGINT NOT NULL,
    conflicts_detected BIGINT NOT NULL,
    conflicts_resolved BIGINT NOT NULL,
    error_details TEXT,
    duration_ms BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX sync_logs_user ON sync_logs (user_id, created_at);

-- Single-use secrets: tickets (60 s) and OAuth states (10 min). Only their SHA-256 is stored.
CREATE TABLE tickets (
    hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    installation_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE oauth_states (
    hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    installation_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
