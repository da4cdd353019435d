CREATE TABLE "observed_bins" (
	"merchant_id" text NOT NULL,
	"bin" text NOT NULL,
	"card_type" text,
	"issuer_country" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "observed_bins_merchant_id_bin_pk" PRIMARY KEY("merchant_id","bin")
);
--> statement-breakpoint
ALTER TABLE "observed_bins" ADD CONSTRAINT "observed_bins_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;