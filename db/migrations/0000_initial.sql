CREATE TYPE "public"."graph_status" AS ENUM('Deploying', 'Running', 'Stopping', 'Stopped', 'Removing', 'Failed');--> statement-breakpoint
CREATE TYPE "public"."operation_kind" AS ENUM('deploy', 'start', 'stop', 'remove', 'replace', 'scale', 'sync', 'reapply');--> statement-breakpoint
CREATE TYPE "public"."operation_status" AS ENUM('pending', 'running', 'succeeded', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."role" AS ENUM('viewer', 'operator', 'admin');--> statement-breakpoint
CREATE TYPE "public"."scaling_mode" AS ENUM('milp', 'threshold');--> statement-breakpoint
CREATE TYPE "public"."service_status" AS ENUM('Pending', 'Deployed', 'Not deployed', 'Failed');--> statement-breakpoint
CREATE TYPE "public"."severity" AS ENUM('info', 'warning', 'error');--> statement-breakpoint
CREATE TYPE "public"."step_status" AS ENUM('pending', 'running', 'succeeded', 'failed', 'skipped', 'deferred');--> statement-breakpoint
CREATE TABLE "api_tokens" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "api_tokens_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"token_hash" text NOT NULL,
	"role" "role" NOT NULL,
	"user_id" bigint,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_tokens_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"user_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "users_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "role" DEFAULT 'viewer' NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "users_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"token_id" bigint,
	"action" text NOT NULL,
	"target" text,
	"result" text NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"name" text PRIMARY KEY NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text
);
--> statement-breakpoint
CREATE TABLE "clusters" (
	"name" text PRIMARY KEY NOT NULL,
	"available_cpu" double precision DEFAULT 0 NOT NULL,
	"available_memory" bigint DEFAULT 0 NOT NULL,
	"allocatable_cpu" double precision DEFAULT 0 NOT NULL,
	"allocatable_memory" bigint DEFAULT 0 NOT NULL,
	"gpus" integer DEFAULT 0 NOT NULL,
	"available_gpus" integer DEFAULT 0 NOT NULL,
	"ready" boolean DEFAULT false NOT NULL,
	"ready_reason" text,
	"stale" boolean DEFAULT false NOT NULL,
	"region" text,
	"location" text,
	"carbon_intensity" double precision,
	"labels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"grafana_url" text,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "graphs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "graphs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"project" text NOT NULL,
	"status" "graph_status" DEFAULT 'Deploying' NOT NULL,
	"descriptor" jsonb NOT NULL,
	"descriptor_text" text NOT NULL,
	"source" text DEFAULT 'text' NOT NULL,
	"placement_algorithm" text DEFAULT 'first-fit' NOT NULL,
	"placement_weights" jsonb,
	"grafana_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "graphs_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "placements" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "placements_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"graph_id" bigint,
	"graph_name" text NOT NULL,
	"algorithm" text NOT NULL,
	"status" text NOT NULL,
	"input" jsonb NOT NULL,
	"result" jsonb NOT NULL,
	"objective" double precision,
	"applied" boolean DEFAULT false NOT NULL,
	"operation_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text
);
--> statement-breakpoint
CREATE TABLE "services" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "services_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"graph_id" bigint NOT NULL,
	"name" text NOT NULL,
	"status" "service_status" DEFAULT 'Not deployed' NOT NULL,
	"clusters" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"cpu" double precision NOT NULL,
	"memory" bigint NOT NULL,
	"storage" bigint DEFAULT 0 NOT NULL,
	"gpu" boolean DEFAULT false NOT NULL,
	"replicas" integer DEFAULT 1 NOT NULL,
	"artifact_ref" text NOT NULL,
	"artifact_type" text,
	"artifact_implementer" text,
	"values_overwrite" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"applied_values" jsonb,
	"trigger" jsonb,
	"grafana_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "services_graphId_name_unique" UNIQUE("graph_id","name")
);
--> statement-breakpoint
CREATE TABLE "operation_steps" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "operation_steps_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"operation_id" text NOT NULL,
	"seq" integer NOT NULL,
	"action" text NOT NULL,
	"target" text,
	"status" "step_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"log" text DEFAULT '' NOT NULL,
	"detail" jsonb,
	"next_attempt_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "operation_steps_operationId_seq_unique" UNIQUE("operation_id","seq")
);
--> statement-breakpoint
CREATE TABLE "operations" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" "operation_kind" NOT NULL,
	"status" "operation_status" DEFAULT 'pending' NOT NULL,
	"graph_id" bigint,
	"graph_name" text,
	"project" text,
	"actor" text NOT NULL,
	"token_id" bigint,
	"input" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"attempt" integer DEFAULT 1 NOT NULL,
	"lease_owner" text,
	"lease_expires_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"severity" "severity" DEFAULT 'info' NOT NULL,
	"project" text,
	"graph_name" text,
	"service_name" text,
	"cluster_name" text,
	"operation_id" text,
	"actor" text DEFAULT 'system' NOT NULL,
	"message" text NOT NULL,
	"detail" jsonb
);
--> statement-breakpoint
CREATE TABLE "scaling_decisions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "scaling_decisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"graph_id" bigint,
	"graph_name" text NOT NULL,
	"cluster" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_by" text NOT NULL,
	"inputs" jsonb NOT NULL,
	"result" jsonb NOT NULL,
	"action" text NOT NULL,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scaling_policies" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "scaling_policies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"graph_id" bigint NOT NULL,
	"service_name" text NOT NULL,
	"mode" "scaling_mode" DEFAULT 'milp' NOT NULL,
	"enabled" boolean DEFAULT false NOT NULL,
	"alpha" double precision DEFAULT 10 NOT NULL,
	"beta" double precision DEFAULT 0 NOT NULL,
	"min_replicas" integer DEFAULT 1 NOT NULL,
	"max_replicas" integer DEFAULT 5 NOT NULL,
	"interval_seconds" integer DEFAULT 30 NOT NULL,
	"query" text,
	"window" text DEFAULT '1m' NOT NULL,
	"up_threshold" double precision,
	"down_threshold" double precision,
	"cooldown_seconds" integer DEFAULT 60 NOT NULL,
	"last_scaled_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "scaling_policies_graphId_serviceName_unique" UNIQUE("graph_id","service_name")
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text
);
--> statement-breakpoint
CREATE TABLE "alert_notifications" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "alert_notifications_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"fingerprint" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"alert_name" text NOT NULL,
	"service_name" text,
	"graph_name" text,
	"outcome" text NOT NULL,
	"labels" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_notifications_fingerprint_startsAt_status_unique" UNIQUE("fingerprint","starts_at","status")
);
--> statement-breakpoint
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "graphs" ADD CONSTRAINT "graphs_project_projects_name_fk" FOREIGN KEY ("project") REFERENCES "public"."projects"("name") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "placements" ADD CONSTRAINT "placements_graph_id_graphs_id_fk" FOREIGN KEY ("graph_id") REFERENCES "public"."graphs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "services" ADD CONSTRAINT "services_graph_id_graphs_id_fk" FOREIGN KEY ("graph_id") REFERENCES "public"."graphs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operation_steps" ADD CONSTRAINT "operation_steps_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operations" ADD CONSTRAINT "operations_graph_id_graphs_id_fk" FOREIGN KEY ("graph_id") REFERENCES "public"."graphs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scaling_decisions" ADD CONSTRAINT "scaling_decisions_graph_id_graphs_id_fk" FOREIGN KEY ("graph_id") REFERENCES "public"."graphs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scaling_policies" ADD CONSTRAINT "scaling_policies_graph_id_graphs_id_fk" FOREIGN KEY ("graph_id") REFERENCES "public"."graphs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_tokens_user_id_index" ON "api_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "api_tokens_active_idx" ON "api_tokens" USING btree ("revoked_at") WHERE "api_tokens"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "sessions_user_id_index" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "audit_log_at_index" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_index" ON "audit_log" USING btree ("actor");--> statement-breakpoint
CREATE INDEX "graphs_project_index" ON "graphs" USING btree ("project");--> statement-breakpoint
CREATE INDEX "placements_graph_id_created_at_index" ON "placements" USING btree ("graph_id","created_at");--> statement-breakpoint
CREATE INDEX "operation_steps_status_next_attempt_at_index" ON "operation_steps" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "operations_graph_id_created_at_index" ON "operations" USING btree ("graph_id","created_at");--> statement-breakpoint
CREATE INDEX "operations_status_index" ON "operations" USING btree ("status");--> statement-breakpoint
CREATE INDEX "events_at_index" ON "events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "events_graph_name_at_index" ON "events" USING btree ("graph_name","at");--> statement-breakpoint
CREATE INDEX "events_cluster_name_at_index" ON "events" USING btree ("cluster_name","at");--> statement-breakpoint
CREATE INDEX "scaling_decisions_graph_id_at_index" ON "scaling_decisions" USING btree ("graph_id","at");