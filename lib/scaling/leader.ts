/**
 * Leadership of the scaling loop (SPEC §5: it runs in exactly one process even when several
 * console replicas share one database).
 *
 * PostgreSQL: a session-level advisory lock held on a dedicated connection. The lock lives as
 * long as the session: when the holder dies or its connection breaks, PostgreSQL releases it
 * and another replica's next attempt gets it. `isLeader()` does not trust a flag: it asks the
 * server whether *this* session still holds the lock, so a process whose connection was
 * replaced (postgres.js reconnects silently) or cut stops acting at once.
 *
 * PGlite: the database is embedded and opened by one process per folder, so that process is
 * the only possible leader.
 */
import type { Sql } from "postgres";
import { ValidationError } from "../errors";
import type { Logger } from "../logger";

export type LeaderElector = {
  readonly kind: "pglite" | "postgres";
  /** Whether this process holds leadership now; re-checked with the database on every call for PostgreSQL. */
  isLeader(): Promise<boolean>;
  /** Starts competing (an immediate attempt, then one every retry interval while not leader). */
  start(): Promise<void>;
  /** Stops competing and releases leadership (the lock and its connection). */
  stop(): Promise<void>;
};

export type LeaderElectorOptions = {
  kind: "pglite" | "postgres";
  /** The PostgreSQL URL; required for kind "postgres". */
  url?: string;
  /** How often a non-leader tries to take the lock; default 3 s. */
  retryMs?: number;
  /** Deadline of each lock query: past it, the connection counts as lost. Default 5 s. */
  queryTimeoutMs?: number;
  logger?: Logger;
};

/**
 * The advisory lock key of the scaling loop ("SMOS" in ASCII). It fits in 32 bits, so pg_locks
 * shows it as classid 0, objid = the key, objsubid 1 (the single-bigint form).
 */
export const SCALER_LOCK_KEY = 0x534d4f53;

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  if (options.kind === "pglite") return createEmbeddedElector();
  if (options.kind !== "postgres") {
    throw new ValidationError([{ path: "kind", message: `must be "pglite" or "postgres", got ${JSON.stringify(options.kind)}` }]);
  }
  if (!options.url) throw new ValidationError([{ path: "url", message: "is required to elect a leader on PostgreSQL" }]);
  return createAdvisoryLockElector({ ...options, url: options.url });
}

function createEmbeddedElector(): LeaderElector {
  let started = false;
  return {
    kind: "pglite",
    isLeader: async () => started,
    start: async () => {
      started = true;
    },
    stop: async () => {
      started = false;
    },
  };
}

function createAdvisoryLockElector(options: LeaderElectorOptions & { url: string }): LeaderElector {
  const retryMs = options.retryMs ?? 3_000;
  const queryTimeoutMs = options.queryTimeoutMs ?? 5_000;
  const logger = options.logger;
  let connection: Sql | undefined;
  let holding = false;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  /** One attempt or check at a time, so a slow query never overlaps the next. */
  let pending: Promise<unknown> = Promise.resolve();

  async function openConnection(): Promise<Sql> {
    const { default: postgres } = await import("postgres");
    // max 1: the lock belongs to a session, so every query must go to the same one.
    return postgres(options.url, { max: 1, idle_timeout: 0, max_lifetime: null, onnotice: () => undefined, connect_timeout: 10 });
  }

  async function dropConnection(): Promise<void> {
    const closing = connection;
    connection = undefined;
    holding = false;
    // Ending the session releases its lock on the server if it still had one.
    await closing?.end({ timeout: 1 }).catch((error: unknown) => logger?.warn({ err: error }, "scaler leadership: closing the lock connection failed"));
  }

  async function withDeadline<T>(query: Promise<T>, what: string): Promise<T> {
    let deadline: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        query,
        new Promise<never>((_, reject) => {
          deadline = setTimeout(() => reject(new Error(`${what} took longer than ${queryTimeoutMs} ms`)), queryTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(deadline);
    }
  }

  async function tryAcquire(): Promise<void> {
    if (!running || holding) return;
    try {
      connection ??= await openConnection();
      const [row] = await withDeadline(connection`select pg_try_advisory_lock(${SCALER_LOCK_KEY}::bigint) as acquired`, "pg_try_advisory_lock");
      if (row?.acquired === true) {
        if (!running) {
          // stop() was called while the attempt was in flight: give the lock back.
          await dropConnection();
          return;
        }
        holding = true;
        logger?.info({ lockKey: SCALER_LOCK_KEY }, "scaler leadership acquired");
      }
    } catch (error) {
      logger?.warn({ err: error }, "scaler leadership: lock attempt failed; retrying");
      await dropConnection();
    }
  }

  async function confirmHolding(): Promise<boolean> {
    if (!holding || !connection) return false;
    try {
      const rows = await withDeadline(
        connection`select 1 from pg_locks
          where locktype = 'advisory' and classid = 0 and objid = ${SCALER_LOCK_KEY} and objsubid = 1
            and granted and pid = pg_backend_pid()
            and database = (select oid from pg_database where datname = current_database())`,
        "the leadership check",
      );
      if (rows.length === 1) return true;
      logger?.warn({ lockKey: SCALER_LOCK_KEY }, "scaler leadership lost: this session no longer holds the lock");
    } catch (error) {
      logger?.warn({ err: error }, "scaler leadership lost: the lock connection does not answer");
    }
    await dropConnection();
    return false;
  }

  function serialise<T>(task: () => Promise<T>): Promise<T> {
    const next = pending.then(task, task);
    pending = next.catch(() => undefined);
    return next;
  }

  function schedule(): void {
    if (!running) return;
    timer = setTimeout(() => {
      void serialise(async () => {
        if (holding) await confirmHolding();
        else await tryAcquire();
      }).finally(schedule);
    }, retryMs);
    timer.unref();
  }

  return {
    kind: "postgres",
    isLeader: () => serialise(confirmHolding),
    async start() {
      if (running) return;
      running = true;
      await serialise(tryAcquire);
      schedule();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await serialise(async () => {
        if (holding && connection) {
          await withDeadline(connection`select pg_advisory_unlock(${SCALER_LOCK_KEY}::bigint)`, "pg_advisory_unlock").catch((error: unknown) =>
            logger?.warn({ err: error }, "scaler leadership: unlocking failed; closing the session releases the lock"),
          );
          logger?.info({ lockKey: SCALER_LOCK_KEY }, "scaler leadership released");
        }
        await dropConnection();
      });
    },
  };
}
