-- Auto-sync per mapping (SPEC §4): on/off and the interval, in seconds.
ALTER TABLE sync_mappings ADD COLUMN auto_sync BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sync_mappings ADD COLUMN sync_interval_secs BIGINT NOT NULL DEFAULT 300;
