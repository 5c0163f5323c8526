-- A conflict remembers which versions it was about (so a choice made for them is not applied
-- to newer ones) and the user's choice until a sync applies it.
ALTER TABLE conflicts ADD COLUMN local_hash TEXT;
ALTER TABLE conflicts ADD COLUMN remote_hash TEXT;
-- 'keep_repl' | 'keep_notion' | 'merged'
ALTER TABLE conflicts ADD COLUMN resolution TEXT;
ALTER TABLE conflicts ADD COLUMN resolved_text TEXT;
-- status: 'open' (waiting for a choice), 'resolved' (chosen, not yet applied), 'applied'.
-- At most one conflict per item is unsettled.
CREATE UNIQUE INDEX conflicts_unsettled ON conflicts (mapping_id, path) WHERE status IN ('open', 'resolved');
