CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recipient_id` text NOT NULL,
	`sender_id` text,
	`sender_name` text,
	`text` text NOT NULL,
	`mode` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`delivered_at` integer,
	`via` text,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `messages_queued_idx` ON `messages` (`recipient_id`,`id`) WHERE status = 'queued';--> statement-breakpoint
CREATE INDEX `messages_recipient_id_idx` ON `messages` (`recipient_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_sender_id_idx` ON `messages` (`sender_id`,`id`);--> statement-breakpoint
CREATE INDEX `messages_status_id_idx` ON `messages` (`status`,`id`);--> statement-breakpoint
CREATE TABLE `watches` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`target_id` text NOT NULL,
	`watcher_id` text NOT NULL,
	`quiet_ms` integer NOT NULL,
	`deadline` integer NOT NULL,
	`created_at` integer NOT NULL,
	`outcome` text,
	`fired_at` integer
);
--> statement-breakpoint
CREATE INDEX `watches_active_idx` ON `watches` (`id`) WHERE outcome IS NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `spawn_prompt` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `current_task` text;