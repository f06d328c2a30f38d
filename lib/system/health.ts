/**
 * Health of the console's dependencies: the database and the external systems, each asked with
 * a deadline through the same clients the core uses. Never throws: every failure becomes a line.
 */
import { sql } from "drizzle-orm";
import type { CoreClients, CoreContext } from "../context";

export type ComponentHealth = { ok: boolean; message: string };

export type HealthReport = {
  /** "ok": all answer; "degraded": an external system does not; "down": the database does not. */
  status: "ok" | "degraded" | "down";
  database: ComponentHealth;
  karmada: ComponentHealth;
  prometheus: ComponentHealth;
  grafana: ComponentHealth;
};

export type HealthOptions = {
  /** Where the database is, without credentials, for messages. */
  databaseLocation: string;
  timeoutMs?: number;
};

export async function checkHealth(ctx: Pick<CoreContext, "db"> & { clients: Pick<CoreClients, "karmada" | "prometheus" | "grafana"> }, options: HealthOptions): Promise<HealthReport> {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const [database, karmada, prometheus, grafana] = await Promise.all([
    probe(`database at ${options.databaseLocation}`, timeoutMs, async () => {
      try {
        await ctx.db.execute(sql`select 1`);
      } catch (error) {
        // drizzle wraps the driver's error in "Failed query: …"; the driver's own words say what is wrong.
        throw new Error(`database at ${options.databaseLocation} does not answer: ${innermostMessage(error)}`, { cause: error });
      }
      return `database at ${options.databaseLocation} answered`;
    }),
    probe("Karmada", timeoutMs, async () => {
      const result = await ctx.clients.karmada.ping();
      if (!result.ok) throw new Error(result.message);
      return result.message;
    }),
    probe("Prometheus", timeoutMs, async () => {
      const info = await ctx.clients.prometheus.ping();
      return `Prometheus at ${ctx.clients.prometheus.url} answered${info.version ? ` (version ${info.version})` : ""}`;
    }),
    ctx.clients.grafana
      ? probe("Grafana", timeoutMs, async () => {
          const grafana = ctx.clients.grafana!;
          const info = await grafana.ping();
          return `Grafana at ${grafana.url} answered${info.version ? ` (version ${info.version})` : ""}`;
        })
      : Promise.resolve({ ok: true, message: "not configured: dashboards are skipped" }),
  ]);
  const status = !database.ok ? "down" : karmada.ok && prometheus.ok && grafana.ok ? "ok" : "degraded";
  return { status, database, karmada, prometheus, grafana };
}

async function probe(what: string, timeoutMs: number, check: () => Promise<string>): Promise<ComponentHealth> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return { ok: true, message: await Promise.race([check(), deadline]) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

function innermostMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
