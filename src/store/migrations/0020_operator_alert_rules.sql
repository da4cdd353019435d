ALTER TABLE "alert_rules" ALTER COLUMN "merchant_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts" ALTER COLUMN "merchant_id" DROP NOT NULL;