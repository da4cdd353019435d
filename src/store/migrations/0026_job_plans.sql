DROP INDEX "jobs_state_kind_idx";--> statement-breakpoint
CREATE INDEX "jobs_done_idx" ON "jobs" USING btree ("updated_at") WHERE "jobs"."state" = 'done';