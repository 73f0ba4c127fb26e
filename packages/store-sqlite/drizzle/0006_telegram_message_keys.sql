CREATE TABLE `telegram_message_keys` (
	`key` text PRIMARY KEY NOT NULL,
	`chat_id` integer NOT NULL,
	`message_id` integer NOT NULL,
	`created_at` integer NOT NULL
);
