CREATE TABLE `telegram_follows` (
	`chat_id` integer NOT NULL,
	`session_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`chat_id`, `session_id`)
);
--> statement-breakpoint
CREATE INDEX `telegram_follows_session_idx` ON `telegram_follows` (`session_id`);