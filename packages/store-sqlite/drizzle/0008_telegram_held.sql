CREATE TABLE `telegram_held` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` text NOT NULL,
	`kind` text NOT NULL,
	`summary` text NOT NULL,
	`session_json` text NOT NULL,
	`messages_json` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `telegram_held_session_idx` ON `telegram_held` (`session_id`);