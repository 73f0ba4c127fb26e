ALTER TABLE `sessions` ADD `state_since` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tool_events` ADD `decided_by` text;--> statement-breakpoint
UPDATE `sessions` SET `state_since` = `last_activity_at`;--> statement-breakpoint
UPDATE `tool_events` SET `decided_by` = 'policy' WHERE `decision` IS NOT NULL;