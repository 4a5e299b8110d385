ALTER TABLE `recorders` ADD `take_profit_legs` text;--> statement-breakpoint
ALTER TABLE `recorders` ADD `trailing_stop` text;--> statement-breakpoint
ALTER TABLE `recorders` ADD `break_even` text;--> statement-breakpoint
ALTER TABLE `recorders` ADD `direction_filter` text DEFAULT 'both' NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `max_contracts` real;--> statement-breakpoint
ALTER TABLE `recorders` ADD `cooldown_seconds` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `max_signal_age_seconds` integer;--> statement-breakpoint
ALTER TABLE `recorders` ADD `slippage_ticks` real DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `timezone` text DEFAULT 'America/New_York' NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `sessions` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `flatten_at_session_end` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `trading_day_start` text DEFAULT '18:00' NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `daily_loss_limit` real;--> statement-breakpoint
ALTER TABLE `recorders` ADD `daily_profit_target` real;--> statement-breakpoint
ALTER TABLE `recorders` ADD `flatten_on_daily_limit` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `recorders` ADD `initial_capital` real;--> statement-breakpoint
ALTER TABLE `recorders` ADD `follows_recorder_id` text;--> statement-breakpoint
CREATE INDEX `recorders_follows` ON `recorders` (`follows_recorder_id`);