DROP INDEX `tool_events_parent_idx`;--> statement-breakpoint
DROP INDEX `tool_events_decision_at_idx`;--> statement-breakpoint
DROP INDEX `tool_events_dedupe_key_unique`;--> statement-breakpoint
CREATE INDEX `tool_events_decision_at_idx` ON `tool_events` (`decision`,`at`) WHERE decision IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `tool_events_dedupe_key_unique` ON `tool_events` (`dedupe_key`) WHERE dedupe_key IS NOT NULL;