CREATE TABLE "card_network_blocks" (
	"card_network_key" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "card_network_key" text;--> statement-breakpoint
CREATE INDEX "payments_card_network_key_idx" ON "payments" USING btree ("card_network_key","created_at");--> statement-breakpoint
-- Blocks were kept per merchant by its fingerprint, from which no network key can be made: they start over.
DROP TABLE "card_blocks" CASCADE;
