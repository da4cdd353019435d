CREATE TABLE "merchant_learner_state" (
	"merchant_id" text PRIMARY KEY NOT NULL,
	"snapshot" jsonb NOT NULL,
	"saved_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "merchant_learner_state" ADD CONSTRAINT "merchant_learner_state_merchant_id_merchants_id_fk" FOREIGN KEY ("merchant_id") REFERENCES "public"."merchants"("id") ON DELETE no action ON UPDATE no action;
--> statement-breakpoint
-- The shared row split per merchant: each merchant keeps the cells of the gateway accounts it
-- owns (account ids renumbered 0.. in their old order, in the low 16-bit digit of each cell key);
-- cells of accounts no merchant owns (deleted, or keyed by name before ids) are dropped. The
-- traffic counts (peers) were shared and are copied to every merchant, where its own traffic
-- moves them on.
WITH "old" AS (
	SELECT "snapshot", "saved_at" FROM "learner_state" WHERE "id" = 'router' AND "snapshot"->>'version' = '1'
), "gateways" AS (
	SELECT g."position" - 1 AS "old_id", g."account_id", a."merchant_id",
		row_number() OVER (PARTITION BY a."merchant_id" ORDER BY g."position") - 1 AS "new_id"
	FROM "old"
	CROSS JOIN LATERAL jsonb_array_elements_text("old"."snapshot"->'values'->'gateway') WITH ORDINALITY AS g("account_id", "position")
	JOIN "gateway_accounts" a ON a."id" = g."account_id"
), "fields" AS (
	SELECT f."value", f."position", (f."position" - 1) / 4 AS "cell", (f."position" - 1) % 4 AS "field"
	FROM "old"
	CROSS JOIN LATERAL jsonb_array_elements("old"."snapshot"->'cells') WITH ORDINALITY AS f("value", "position")
), "cells" AS (
	SELECT "cell", ("value"::text)::numeric AS "key", mod(("value"::text)::numeric, 65536) AS "gateway" FROM "fields" WHERE "field" = 0
), "kept" AS (
	SELECT g."merchant_id", f."position",
		CASE WHEN f."field" = 0 THEN to_jsonb(c."key" - c."gateway" + g."new_id") ELSE f."value" END AS "value"
	FROM "fields" f
	JOIN "cells" c ON c."cell" = f."cell"
	JOIN "gateways" g ON g."old_id" = c."gateway"
)
INSERT INTO "merchant_learner_state" ("merchant_id", "snapshot", "saved_at")
SELECT m."merchant_id",
	jsonb_build_object(
		'version', 1,
		'values', ("old"."snapshot"->'values') || jsonb_build_object('gateway', (SELECT jsonb_agg(to_jsonb(g."account_id") ORDER BY g."new_id") FROM "gateways" g WHERE g."merchant_id" = m."merchant_id")),
		'cells', COALESCE((SELECT jsonb_agg(k."value" ORDER BY k."position") FROM "kept" k WHERE k."merchant_id" = m."merchant_id"), '[]'::jsonb),
		'peers', "old"."snapshot"->'peers'
	),
	"old"."saved_at"
FROM "old" CROSS JOIN (SELECT DISTINCT "merchant_id" FROM "gateways") m;
--> statement-breakpoint
DROP TABLE "learner_state" CASCADE;