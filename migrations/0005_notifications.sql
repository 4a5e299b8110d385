CREATE TABLE `notification_summaries` (
	`recorder_id` text NOT NULL,
	`trading_day` text NOT NULL,
	`sent_at` text NOT NULL,
	PRIMARY KEY(`recorder_id`, `trading_day`)
);
--> statement-breakpoint
CREATE TABLE `notification_targets` (
	`id` text PRIMARY KEY NOT NULL,
	`recorder_id` text NOT NULL,
	`kind` text NOT NULL,
	`label` text,
	`secret_enc` text NOT NULL,
	`shown` text NOT NULL,
	`events` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notification_targets_recorder` ON `notification_targets` (`recorder_id`);