CREATE TABLE `telegram_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`lane` text NOT NULL,
	`kind` text NOT NULL,
	`operation` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `telegram_outbox_open_idx` ON `telegram_outbox` (`lane`,`id`) WHERE status IN ('pending', 'sending');--> statement-breakpoint
CREATE INDEX `telegram_outbox_status_id_idx` ON `telegram_outbox` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `telegram_outbox_settled_idx` ON `telegram_outbox` (`updated_at`) WHERE status IN ('done', 'failed');--> statement-breakpoint
CREATE TABLE `telegram_pairing_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by` integer
);
--> statement-breakpoint
CREATE TABLE `telegram_topics` (
	`chat_id` integer NOT NULL,
	`session_id` text NOT NULL,
	`thread_id` integer,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`status_message_id` integer,
	`create_attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`chat_id`, `session_id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `telegram_topics_thread_unique` ON `telegram_topics` (`chat_id`,`thread_id`) WHERE thread_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `telegram_users` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`username` text,
	`added_at` integer NOT NULL
);
