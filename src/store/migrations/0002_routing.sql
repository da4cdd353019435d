CREATE TABLE "card_blocks" (
	"merchant_id" text NOT NULL,
	"card_fingerprint" text NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "card_blocks_merchant_id_card_fingerprint_pk" PRIMARY KEY("merchant_id","card_fingerprint")
);
--> statement-breakpoint
CREATE TABLE "routing_audit" (
	"id" text PRIMARY KEY NOT NULL,
	"merchant_id" text NOT NULL,
	"action" text NOT NULL,
	"version" integer NOT NULL,
	"actor" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "routing_rulesets" (
	"merchant_id" text NOT NULL,
	"version" integer NOT NULL,
	"source" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "routing_rulesets_merchant_id_version_pk" PRIMARY KEY("merchant_id","version")
);
--> statement-breakpoint
ALTER TABLE "gateway_accounts" ADD COLUMN "name" text;--> statement-breakpoint
UPDATE "gateway_accounts" g SET "name" = CASE WHEN n.rank = 1 THEN g."provider" ELSE g."provider" || '-' || n.rank END
  FROM (SELECT "id", row_number() OVER (PARTITION BY "merchant_id", "provider" ORDER BY "id") AS rank FROM "gateway_accounts") n
  WHERE n."id" = g."id";--> statement-breakpoint
ALTER TABLE "gateway_accounts" ALTER COLUMN "name" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "active_ruleset_version" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "card_fingerprint" text;--> statement-breakpoint
UPDATE "payments" SET "card_fingerprint" = "card"->>'fingerprint';--> statement-breakpoint
ALTER TABLE "payments" ALTER COLUMN "card_fingerprint" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "decision" jsonb;--> statement-breakpoint
ALTER TABLE "card_blocks" ADD CONSTRAINT "card_blocks_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_audit" ADD CONSTRAINT "routing_audit_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "routing_rulesets" ADD CONSTRAINT "routing_rulesets_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "routing_audit_merchant_idx" ON "routing_audit" USING btree ("merchant_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "gateway_accounts_merchant_name_idx" ON "gateway_accounts" USING btree ("merchant_id","name");--> statement-breakpoint
CREATE INDEX "payments_card_fingerprint_idx" ON "payments" USING btree ("merchant_id","card_fingerprint","created_at");