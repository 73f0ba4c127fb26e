CREATE TABLE `events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` text NOT NULL,
	`claude_session_id` text NOT NULL,
	`event` text NOT NULL,
	`at` integer NOT NULL,
	`tool_name` text,
	`tool_use_id` text,
	`notification_type` text,
	`raw` text NOT NULL,
	`raw_size` integer NOT NULL,
	`dedupe_key` text
);
--> statement-breakpoint
CREATE INDEX `events_session_id_id_idx` ON `events` (`session_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `events_dedupe_key_unique` ON `events` (`dedupe_key`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`name` text,
	`state` text NOT NULL,
	`working_dir` text NOT NULL,
	`tmux_session` text,
	`claude_session_id` text,
	`model` text,
	`parent_id` text,
	`created_at` integer NOT NULL,
	`last_activity_at` integer NOT NULL,
	`stopped_at` integer,
	`last_tool` text,
	`last_message` text,
	`background_tasks` integer DEFAULT 0 NOT NULL,
	`last_event_at` integer,
	`token_hash` text
);
--> statement-breakpoint
CREATE INDEX `sessions_claude_session_id_idx` ON `sessions` (`claude_session_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_live_name_unique` ON `sessions` (`name`) WHERE name IS NOT NULL AND state != 'stopped';--> statement-breakpoint
CREATE INDEX `sessions_state_idx` ON `sessions` (`state`);