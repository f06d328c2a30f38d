export { createDb, redactUrl, type CreateDbOptions, type Database, type DatabaseHandle, type DbExecutor, type Transaction } from "./client";
export * as schema from "./schema";
