CREATE TABLE "merchant_learner_state" (
	"merchant_id" text PRIMARY KEY NOT NULL,
	"snapshot" jsonb NOT NULL,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "merchant_learner_state" ADD CONSTRAINT "merchant_learner_state_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
DROP TABLE "learner_state" CASCADE;