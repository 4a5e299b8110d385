ALTER TABLE `recorders` ADD `quantity_step` real DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `max_signals_per_minute` integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `signal_log_retention_days` integer DEFAULT 90 NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `delayed_feed` text DEFAULT 'align' NOT NULL;--> statement-breakpoint
ALTER TABLE `signals` ADD `body_truncated` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `signals` ADD `applies_at` text;