ALTER TABLE "api_keys" ADD COLUMN "hint" text;--> statement-breakpoint
UPDATE "api_keys" SET "hint" = "prefix" || '…';--> statement-breakpoint
ALTER TABLE "api_keys" ALTER COLUMN "hint" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "scopes" jsonb;--> statement-breakpoint
UPDATE "api_keys" SET "scopes" = '["payments:write","payments:read","routing:read","routing:write","webhooks:manage","events:read","gateways:read","jobs:read"]'::jsonb;--> statement-breakpoint
ALTER TABLE "api_keys" ALTER COLUMN "scopes" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "api_keys" DROP COLUMN "prefix";--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "disabled_at" timestamp with time zone;
