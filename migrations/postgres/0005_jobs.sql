-- Durable queue (SPEC §6): any replica may claim a due job; a lease that runs out (a crashed
-- worker) makes the job claimable again.
CREATE TABLE sync_jobs (
    id TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL,
    mapping_id TEXT NOT NULL REFERENCES sync_mappings (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    -- 'queued' | 'running' | 'done' | 'failed'
    status TEXT NOT NULL,
    run_after_ms BIGINT NOT NULL,
    lease_until_ms BIGINT NOT NULL DEFAULT 0,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    -- which replica ran it last (for operators and the exactly-once test)
    worker TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sync_jobs_due ON sync_jobs (status, run_after_ms);
-- At most one pending job of a kind per mapping: triggers coalesce.
CREATE UNIQUE INDEX sync_jobs_pending ON sync_jobs (mapping_id, kind) WHERE status IN ('queued', 'running');

-- Per-Notion-token pacing shared by every replica: the next free request slot.
CREATE TABLE notion_pacing (
    token_key TEXT PRIMARY KEY,
    next_slot_ms BIGINT NOT NULL
);

-- Webhook deliveries already handled (Notion may deliver an event more than once).
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    received_at BIGINT NOT NULL
);

-- Secrets the relay learns at run time (sealed with SECRET_KEY), e.g. the webhook
-- verification token Notion sends once.
CREATE TABLE relay_secrets (
    name TEXT PRIMARY KEY,
    value_enc TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- When the relay last looked at the Notion side of an auto-sync mapping.
ALTER TABLE sync_mappings ADD COLUMN last_checked_at BIGINT;
