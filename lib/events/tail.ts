/**
 * Following the event log as it grows, for live views: the events after a given id, oldest
 * first, then each new one as it is recorded.
 *
 * The log is read from the database every `intervalMs` rather than from an in-process emitter:
 * events are recorded by every process sharing the database (console replicas, the scaler's
 * leader, the CLI's direct commands), and a read by id on the primary key costs little.
 *
 * Ids come from a sequence, so they are allocated in insertion order but may become visible in
 * another order: an event inserted inside a longer transaction (a cluster sync) can commit after
 * a later id. A tail that jumped past the missing id would never deliver it. So the tail stops at
 * a hole and waits up to `gapGraceMs` for it to fill; a hole still open after that is an insert
 * that was rolled back (or ids skipped after a crash) and is passed. Events therefore always leave
 * in id order, and "the last id received" is a correct point to resume from.
 */
import { asc, gt, max } from "drizzle-orm";
import { events } from "../../db/schema";
import type { CoreContext } from "../context";
import { pause } from "../pause";
import type { ListEventsInput } from "./list";
import type { EventRecord } from "./record";

export type TailEventsInput = Pick<ListEventsInput, "graphName" | "clusterName" | "serviceName" | "kind" | "severity"> & {
  /** Start after this id; absent, only events recorded from now on. */
  afterId?: number;
};

export type TailEventsOptions = {
  /** Ends the tail (the generator returns at its next pause). */
  signal: AbortSignal;
  /** Pause between reads when nothing new came (default 1 s). */
  intervalMs?: number;
  /** How long a hole in the ids is waited for before it is taken for a rollback (default 5 s). */
  gapGraceMs?: number;
  /** Rows read at once (default 500). */
  batchSize?: number;
  now?: () => number;
};

export const DEFAULT_TAIL_INTERVAL_MS = 1_000;
export const DEFAULT_GAP_GRACE_MS = 5_000;

/** The events matching `input` after `input.afterId` (or after the newest one now), oldest first, until the signal ends it. */
export async function* tailEvents(ctx: Pick<CoreContext, "db">, input: TailEventsInput, options: TailEventsOptions): AsyncGenerator<EventRecord, void, undefined> {
  const { signal } = options;
  const intervalMs = options.intervalMs ?? DEFAULT_TAIL_INTERVAL_MS;
  const gapGraceMs = options.gapGraceMs ?? DEFAULT_GAP_GRACE_MS;
  const batchSize = options.batchSize ?? 500;
  const now = options.now ?? Date.now;

  let cursor = input.afterId ?? (await latestEventId(ctx));
  /** The first missing id after the cursor and when it was first seen missing. */
  let gap: { id: number; since: number } | undefined;
  while (!signal.aborted) {
    const rows = await ctx.db.select().from(events).where(gt(events.id, cursor)).orderBy(asc(events.id)).limit(batchSize);
    let waitingForGap = false;
    for (const row of rows) {
      if (row.id !== cursor + 1) {
        const at = now();
        if (gap?.id !== cursor + 1) gap = { id: cursor + 1, since: at };
        if (at - gap.since < gapGraceMs) {
          waitingForGap = true;
          break;
        }
      }
      gap = undefined;
      cursor = row.id;
      if (matches(row, input)) {
        yield row;
        if (signal.aborted) return;
      }
    }
    if (rows.length === batchSize && !waitingForGap) continue;
    if (!(await pause(intervalMs, signal))) return;
  }
}

/** The newest event's id, 0 when the log is empty. */
export async function latestEventId(ctx: Pick<CoreContext, "db">): Promise<number> {
  const [row] = await ctx.db.select({ id: max(events.id) }).from(events);
  return Number(row?.id ?? 0);
}

function matches(event: EventRecord, input: TailEventsInput): boolean {
  return (
    (input.graphName === undefined || event.graphName === input.graphName) &&
    (input.clusterName === undefined || event.clusterName === input.clusterName) &&
    (input.serviceName === undefined || event.serviceName === input.serviceName) &&
    (input.kind === undefined || event.kind === input.kind) &&
    (input.severity === undefined || event.severity === input.severity)
  );
}
