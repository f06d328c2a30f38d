import { pgEnum } from "drizzle-orm/pg-core";

export const roleEnum = pgEnum("role", ["viewer", "operator", "admin"]);
export const graphStatusEnum = pgEnum("graph_status", ["Deploying", "Running", "Stopping", "Stopped", "Removing", "Failed"]);
export const serviceStatusEnum = pgEnum("service_status", ["Pending", "Deployed", "Not deployed", "Failed"]);
export const operationKindEnum = pgEnum("operation_kind", ["deploy", "start", "stop", "remove", "replace", "scale", "sync", "reapply"]);
export const operationStatusEnum = pgEnum("operation_status", ["pending", "running", "succeeded", "failed", "cancelled"]);
export const stepStatusEnum = pgEnum("step_status", ["pending", "running", "succeeded", "failed", "skipped", "deferred"]);
export const severityEnum = pgEnum("severity", ["info", "warning", "error"]);
export const scalingModeEnum = pgEnum("scaling_mode", ["milp", "threshold"]);
