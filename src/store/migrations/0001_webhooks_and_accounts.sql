CREATE TABLE "webhook_events" (
	"gateway_account_id" text NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"reference" text NOT NULL,
	"payment_id" text,
	"result" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "webhook_events_gateway_account_id_event_id_pk" PRIMARY KEY("gateway_account_id","event_id")
);
--> statement-breakpoint
ALTER TABLE "gateway_accounts" ADD COLUMN "settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "status_before_operation" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "pending_amount" bigint;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_gateway_account_id_gateway_accounts_id_fk" FOREIGN KEY ("gateway_account_id") REFERENCES "public"."gateway_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_payment_id_payments_id_fk" FOREIGN KEY ("payment_id") REFERENCES "public"."payments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attempts_gateway_reference_idx" ON "attempts" USING btree ("gateway_account_id","gateway_reference");--> statement-breakpoint
CREATE INDEX "attempts_idempotency_key_idx" ON "attempts" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "payments_gateway_reference_idx" ON "payments" USING btree ("gateway_account_id","gateway_reference");--> statement-breakpoint
CREATE INDEX "refunds_gateway_reference_idx" ON "refunds" USING btree ("gateway_reference");