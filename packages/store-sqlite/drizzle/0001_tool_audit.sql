CREATE TABLE `tool_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`session_id` text NOT NULL,
	`session_name` text,
	`parent_id` text,
	`claude_session_id` text NOT NULL,
	`agent_id` text,
	`tool_use_id` text,
	`cwd` text,
	`project` text,
	`event` text NOT NULL,
	`tool_name` text,
	`tool_input` text,
	`tool_response` text,
	`tool_response_size` integer,
	`target_file` text,
	`command` text,
	`exit_code` integer,
	`error` text,
	`duration_ms` integer,
	`destructive` integer DEFAULT false NOT NULL,
	`category` text,
	`sensitive` integer DEFAULT false NOT NULL,
	`match` text,
	`decision` text,
	`dedupe_key` text
);
--> statement-breakpoint
CREATE INDEX `tool_events_at_idx` ON `tool_events` (`at`);--> statement-breakpoint
CREATE INDEX `tool_events_session_at_idx` ON `tool_events` (`session_id`,`at`);--> statement-breakpoint
CREATE INDEX `tool_events_parent_idx` ON `tool_events` (`parent_id`);--> statement-breakpoint
CREATE INDEX `tool_events_tool_at_idx` ON `tool_events` (`tool_name`,`at`);--> statement-breakpoint
CREATE INDEX `tool_events_project_at_idx` ON `tool_events` (`project`,`at`);--> statement-breakpoint
CREATE INDEX `tool_events_tool_use_id_idx` ON `tool_events` (`tool_use_id`);--> statement-breakpoint
CREATE INDEX `tool_events_destructive_at_idx` ON `tool_events` (`at`) WHERE destructive = 1;--> statement-breakpoint
CREATE INDEX `tool_events_sensitive_at_idx` ON `tool_events` (`at`) WHERE sensitive = 1;--> statement-breakpoint
CREATE INDEX `tool_events_decision_at_idx` ON `tool_events` (`decision`,`at`);--> statement-breakpoint
CREATE UNIQUE INDEX `tool_events_dedupe_key_unique` ON `tool_events` (`dedupe_key`);