/**
 * Console settings kept in the database (admin-editable) and applied over the environment's
 * defaults when a core context is built. Secrets never live here: they stay in the environment.
 */
import { inArray } from "drizzle-orm";
import { settings } from "../../db/schema";
import type { CoreConfig, CoreContext } from "../context";
import { ValidationError } from "../errors";
import { PlacementSettings, type ConsoleSettings, type SettingKey, type SettingUpdate } from "./schemas";

const SETTING_SCHEMAS = { placement: PlacementSettings } as const;
const SETTING_KEYS = Object.keys(SETTING_SCHEMAS) as SettingKey[];

export type StoredSetting = { key: SettingKey; updatedAt: Date; updatedBy: string | null };

/** The settings in force: stored values where they exist, the core configuration's otherwise. */
export async function getConsoleSettings(ctx: Pick<CoreContext, "db" | "logger">, base: Omit<CoreConfig, "instanceId">): Promise<{ settings: ConsoleSettings; stored: StoredSetting[] }> {
  const rows = await ctx.db.select().from(settings).where(inArray(settings.key, SETTING_KEYS));
  const values: ConsoleSettings = { placement: base.placement };
  const stored: StoredSetting[] = [];
  for (const row of rows) {
    const key = row.key as SettingKey;
    const parsed = SETTING_SCHEMAS[key].safeParse(row.value);
    if (!parsed.success) {
      // A row written by an older version that no longer validates must not stop the console: defaults apply.
      ctx.logger.warn({ key, issues: parsed.error.issues }, "stored setting is invalid and was ignored");
      continue;
    }
    values[key] = parsed.data;
    stored.push({ key, updatedAt: row.updatedAt, updatedBy: row.updatedBy });
  }
  return { settings: values, stored };
}

export async function setConsoleSetting(ctx: Pick<CoreContext, "db" | "clock" | "actor">, update: SettingUpdate): Promise<void> {
  const parsed = SETTING_SCHEMAS[update.key].safeParse(update.value);
  if (!parsed.success) {
    throw new ValidationError(parsed.error.issues.map((issue) => ({ path: ["value", ...issue.path.map(String)].join("."), message: issue.message })));
  }
  const now = ctx.clock();
  await ctx.db
    .insert(settings)
    .values({ key: update.key, value: parsed.data, updatedAt: now, updatedBy: ctx.actor.name })
    .onConflictDoUpdate({ target: settings.key, set: { value: parsed.data, updatedAt: now, updatedBy: ctx.actor.name } });
}

/** The core configuration with the stored settings applied. */
export function applyConsoleSettings<T extends Omit<CoreConfig, "instanceId">>(config: T, values: ConsoleSettings): T {
  return { ...config, placement: { ...values.placement } };
}
