/** The audit log: every mutation, allowed or denied, with who did it and how it ended (SPEC §9). */
import { desc } from "drizzle-orm";
import { auditLog } from "../../db/schema";
import type { AuthContext } from "./types";

export type AuditResult = "allowed" | "denied" | "failed";

export type AuditEntry = {
  actor: string;
  tokenId?: number;
  action: string;
  target?: string;
  result: AuditResult;
  detail?: Record<string, unknown>;
};

export async function recordAudit(ctx: Pick<AuthContext, "db" | "clock">, entry: AuditEntry): Promise<void> {
  await ctx.db.insert(auditLog).values({ ...entry, target: entry.target?.slice(0, 200), at: ctx.clock() });
}

export async function listAudit(ctx: Pick<AuthContext, "db">, options: { limit: number }): Promise<(typeof auditLog.$inferSelect)[]> {
  return ctx.db.select().from(auditLog).orderBy(desc(auditLog.at), desc(auditLog.id)).limit(options.limit);
}
