CREATE TABLE "rollup_attempts" (
	"merchant_id" text NOT NULL,
	"granularity" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"network" text NOT NULL,
	"currency" text NOT NULL,
	"gateway_account_id" text NOT NULL,
	"provider" text NOT NULL,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"approved" bigint DEFAULT 0 NOT NULL,
	"declined" bigint DEFAULT 0 NOT NULL,
	"technical_failures" bigint DEFAULT 0 NOT NULL,
	"latency_count" bigint DEFAULT 0 NOT NULL,
	"latency_sum_ms" bigint DEFAULT 0 NOT NULL,
	"latency_buckets" bigint[] NOT NULL,
	"approved_amount" bigint DEFAULT 0 NOT NULL,
	"fees" bigint DEFAULT 0 NOT NULL,
	"unpriced" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "rollup_attempts_merchant_id_granularity_bucket_gateway_account_id_network_currency_pk" PRIMARY KEY("merchant_id","granularity","bucket","gateway_account_id","network","currency")
);
--> statement-breakpoint
CREATE TABLE "rollup_declines" (
	"merchant_id" text NOT NULL,
	"granularity" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"network" text NOT NULL,
	"currency" text NOT NULL,
	"gateway_account_id" text NOT NULL,
	"reason" text NOT NULL,
	"count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "rollup_declines_merchant_id_granularity_bucket_gateway_account_id_network_currency_reason_pk" PRIMARY KEY("merchant_id","granularity","bucket","gateway_account_id","network","currency","reason")
);
--> statement-breakpoint
CREATE TABLE "rollup_folded" (
	"payment_id" text PRIMARY KEY NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"attempts" smallint NOT NULL,
	"attempted" boolean NOT NULL,
	"authorized" boolean NOT NULL,
	"captured" boolean NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollup_payments" (
	"merchant_id" text NOT NULL,
	"granularity" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"network" text NOT NULL,
	"currency" text NOT NULL,
	"created" bigint DEFAULT 0 NOT NULL,
	"attempted" bigint DEFAULT 0 NOT NULL,
	"authorized" bigint DEFAULT 0 NOT NULL,
	"captured" bigint DEFAULT 0 NOT NULL,
	"recovered_after_decline" bigint DEFAULT 0 NOT NULL,
	"recovered_after_failure" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "rollup_payments_merchant_id_granularity_bucket_network_currency_pk" PRIMARY KEY("merchant_id","granularity","bucket","network","currency")
);
--> statement-breakpoint
CREATE TABLE "rollup_watermarks" (
	"name" text PRIMARY KEY NOT NULL,
	"folded_to" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "rollup_attempts_purge_idx" ON "rollup_attempts" USING btree ("granularity","bucket");--> statement-breakpoint
CREATE INDEX "rollup_declines_purge_idx" ON "rollup_declines" USING btree ("granularity","bucket");--> statement-breakpoint
CREATE INDEX "rollup_folded_created_idx" ON "rollup_folded" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "rollup_payments_purge_idx" ON "rollup_payments" USING btree ("granularity","bucket");--> statement-breakpoint
CREATE INDEX "payments_updated_idx" ON "payments" USING btree ("updated_at");