ALTER TABLE "stripe_payment_intents" ADD COLUMN "customer" text;--> statement-breakpoint
ALTER TABLE "stripe_payment_intents" ADD COLUMN "setup_future_usage" text;