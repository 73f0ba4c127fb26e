CREATE TABLE `usage` (
	`request_id` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`claude_session_id` text NOT NULL,
	`prompt_id` text,
	`model` text,
	`input_tokens` integer NOT NULL,
	`output_tokens` integer NOT NULL,
	`cache_read_tokens` integer NOT NULL,
	`cache_write_tokens` integer NOT NULL,
	`cost_micros` integer NOT NULL,
	`duration_ms` integer,
	`query_source` text,
	`at` integer NOT NULL,
	`source` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_session_at_idx` ON `usage` (`session_id`,`at`);--> statement-breakpoint
CREATE INDEX `usage_at_idx` ON `usage` (`at`);