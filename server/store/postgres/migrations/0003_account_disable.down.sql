-- Disabled accounts become active again.

ALTER TABLE accounts DROP COLUMN disabled_at;
