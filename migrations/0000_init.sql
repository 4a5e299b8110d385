CREATE TABLE `fills` (
	`id` text PRIMARY KEY NOT NULL,
	`position_id` text NOT NULL,
	`recorder_id` text NOT NULL,
	`symbol` text NOT NULL,
	`at` text NOT NULL,
	`side` text NOT NULL,
	`quantity` real NOT NULL,
	`price` real NOT NULL,
	`reason` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `fills_position` ON `fills` (`position_id`);--> statement-breakpoint
CREATE TABLE `positions` (
	`id` text PRIMARY KEY NOT NULL,
	`recorder_id` text NOT NULL,
	`symbol` text NOT NULL,
	`feed_symbol` text NOT NULL,
	`status` text NOT NULL,
	`opened_at` text NOT NULL,
	`closed_at` text,
	`data` text NOT NULL,
	`version` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `positions_status_symbol` ON `positions` (`status`,`feed_symbol`);--> statement-breakpoint
CREATE INDEX `positions_recorder` ON `positions` (`recorder_id`,`status`);--> statement-breakpoint
CREATE TABLE `recorders` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`symbol` text,
	`enabled` integer DEFAULT true NOT NULL,
	`initial_quantity` real DEFAULT 1 NOT NULL,
	`add_quantity` real DEFAULT 1 NOT NULL,
	`allow_add` integer DEFAULT true NOT NULL,
	`reverse_on_opposite` integer DEFAULT true NOT NULL,
	`take_profit_ticks` real,
	`stop_loss_ticks` real,
	`commission_per_contract` real DEFAULT 0 NOT NULL,
	`tick_size` real,
	`tick_value` real,
	`dedupe_window_seconds` integer DEFAULT 10 NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recorders_token_hash` ON `recorders` (`token_hash`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `signals` (
	`id` text PRIMARY KEY NOT NULL,
	`recorder_id` text NOT NULL,
	`received_at` text NOT NULL,
	`status` text NOT NULL,
	`result` text,
	`error` text,
	`body` text,
	`symbol` text,
	`position_id` text
);
--> statement-breakpoint
CREATE INDEX `signals_recorder_received` ON `signals` (`recorder_id`,`received_at`);--> statement-breakpoint
CREATE INDEX `signals_received` ON `signals` (`received_at`);--> statement-breakpoint
CREATE TABLE `symbols` (
	`feed_symbol` text PRIMARY KEY NOT NULL,
	`root` text NOT NULL,
	`first_seen_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `trades` (
	`id` text PRIMARY KEY NOT NULL,
	`position_id` text NOT NULL,
	`recorder_id` text NOT NULL,
	`symbol` text NOT NULL,
	`side` text NOT NULL,
	`quantity` real NOT NULL,
	`entry_price` real NOT NULL,
	`exit_price` real NOT NULL,
	`gross_pnl` real NOT NULL,
	`commission` real NOT NULL,
	`pnl` real NOT NULL,
	`max_favorable` real NOT NULL,
	`max_adverse` real NOT NULL,
	`opened_at` text NOT NULL,
	`closed_at` text NOT NULL,
	`exit_reason` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `trades_position` ON `trades` (`position_id`);--> statement-breakpoint
CREATE INDEX `trades_recorder_closed` ON `trades` (`recorder_id`,`closed_at`);--> statement-breakpoint
CREATE INDEX `trades_closed` ON `trades` (`closed_at`);