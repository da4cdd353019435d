CREATE TABLE "audit_log" (
	"id" text PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_name" text NOT NULL,
	"merchant_id" text,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text NOT NULL,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE INDEX "audit_log_merchant_idx" ON "audit_log" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type","target_id","id");--> statement-breakpoint
INSERT INTO "audit_log" ("id", "at", "actor_type", "actor_id", "actor_name", "merchant_id", "action", "target_type", "target_id", "after")
SELECT "id", "at",
	CASE WHEN "actor" LIKE 'api_key:%' THEN 'api_key' ELSE 'system' END,
	CASE WHEN "actor" LIKE 'api_key:%' THEN substr("actor", 9) ELSE "actor" END,
	"actor", "merchant_id", 'routing.ruleset.' || "action", 'ruleset', "merchant_id" || ':' || "version", jsonb_build_object('version', "version")
FROM "routing_audit";--> statement-breakpoint
DROP TABLE "routing_audit" CASCADE;--> statement-breakpoint
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log" FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
