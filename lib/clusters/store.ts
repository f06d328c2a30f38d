/**
 * The `store` step of a cluster sync: writes what Karmada reported into the cluster rows in one
 * transaction and records an event for each transition worth telling an operator about.
 */
import { and, eq, inArray, sql } from "drizzle-orm";
import { clusters, operationSteps } from "../../db/schema";
import type { CoreContext } from "../context";
import { recordEvent, type NewEvent } from "../events";
import type { ClusterState } from "../karmada";
import { CLUSTER_DASHBOARD_STEP } from "./dashboards";
import type { ClusterRecord } from "./types";

export const REMOVED_FROM_KARMADA = "Removed from Karmada";

/** Available CPU or memory moving by at least this share of the allocatable amount is worth an event. */
export const NOTABLE_CAPACITY_SHARE = 0.1;

/** Serialises concurrent syncs (several console replicas share one database): one store step at a time. */
const CLUSTER_SYNC_LOCK = 0x534d4f5f434c53n; // "SMO_CLS"

export type StoreOutcome = {
  added: string[];
  /** Existing clusters whose synced figures, readiness, region or labels differ from before. */
  changed: string[];
  /** Clusters that disappeared from Karmada in this sync (their rows are kept, marked not ready). */
  removed: string[];
  /** Clusters whose dashboard should be published: new ones, and ones still without a dashboard and no step pending for it. */
  dashboardsNeeded: string[];
};

type SyncedFigures = Pick<
  ClusterRecord,
  "availableCpu" | "availableMemory" | "allocatableCpu" | "allocatableMemory" | "gpus" | "availableGpus" | "ready" | "readyReason" | "stale" | "region" | "labels"
>;

type StoreContext = Pick<CoreContext, "db" | "actor" | "logger" | "clock">;

export async function storeClusters(ctx: StoreContext, states: ClusterState[], listedAt: Date, operationId: string): Promise<StoreOutcome> {
  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLUSTER_SYNC_LOCK.toString()}::bigint)`);
    const txCtx: StoreContext = { ...ctx, db: tx };
    const now = ctx.clock();
    const previousRows = new Map((await tx.select().from(clusters)).map((row) => [row.name, row]));
    const outcome: StoreOutcome = { added: [], changed: [], removed: [], dashboardsNeeded: [] };
    const events: NewEvent[] = [];

    for (const state of states) {
      const figures = figuresOf(state);
      const previous = previousRows.get(state.name);
      if (!previous) {
        await tx.insert(clusters).values({
          name: state.name,
          ...figures,
          // Operator attributes start from what Karmada knows and are the operator's from then on.
          location: state.region ?? null,
          carbonIntensity: state.carbonIntensity ?? null,
          lastSyncedAt: listedAt,
          createdAt: now,
          updatedAt: now,
        });
        outcome.added.push(state.name);
        events.push(addedEvent(state));
        continue;
      }
      // A sync that listed Karmada later has already stored fresher figures.
      if (previous.lastSyncedAt && previous.lastSyncedAt > listedAt) continue;
      const changed = !sameFigures(figuresOf(previous), figures);
      await tx
        .update(clusters)
        .set({ ...figures, lastSyncedAt: listedAt, ...(changed ? { updatedAt: now } : {}) })
        .where(eq(clusters.name, state.name));
      if (changed) outcome.changed.push(state.name);
      events.push(...transitionEvents(previous, state, figures));
    }

    const listed = new Set(states.map((state) => state.name));
    for (const previous of previousRows.values()) {
      if (listed.has(previous.name) || previous.readyReason === REMOVED_FROM_KARMADA) continue;
      if (previous.lastSyncedAt && previous.lastSyncedAt > listedAt) continue;
      await tx.update(clusters).set({ ready: false, stale: true, readyReason: REMOVED_FROM_KARMADA, updatedAt: now }).where(eq(clusters.name, previous.name));
      outcome.removed.push(previous.name);
      events.push({
        kind: "cluster.removed",
        severity: "warning",
        clusterName: previous.name,
        message: `cluster ${previous.name} is no longer a Karmada member cluster; it is kept as not ready (its services and history stay) and is no placement candidate`,
      });
    }

    outcome.dashboardsNeeded = [...outcome.added, ...(await clustersMissingDashboards(tx, previousRows, listed))];
    for (const event of events) await recordEvent(txCtx, { ...event, operationId });
    return outcome;
  });
}

function figuresOf(source: ClusterState | ClusterRecord): SyncedFigures {
  if ("cpu" in source) {
    return {
      availableCpu: source.cpu.available,
      // Byte and GPU columns are integers; a fractional quantity ("100m" of memory) rounds down.
      availableMemory: Math.floor(source.memory.available),
      allocatableCpu: source.cpu.allocatable,
      allocatableMemory: Math.floor(source.memory.allocatable),
      gpus: Math.floor(source.gpus.allocatable),
      availableGpus: Math.floor(source.gpus.available),
      ready: source.ready,
      readyReason: source.readyReason,
      stale: source.stale,
      region: source.region ?? null,
      labels: source.labels,
    };
  }
  const { availableCpu, availableMemory, allocatableCpu, allocatableMemory, gpus, availableGpus, ready, readyReason, stale, region, labels } = source;
  return { availableCpu, availableMemory, allocatableCpu, allocatableMemory, gpus, availableGpus, ready, readyReason, stale, region, labels };
}

function sameFigures(a: SyncedFigures, b: SyncedFigures): boolean {
  return (
    a.availableCpu === b.availableCpu &&
    a.availableMemory === b.availableMemory &&
    a.allocatableCpu === b.allocatableCpu &&
    a.allocatableMemory === b.allocatableMemory &&
    a.gpus === b.gpus &&
    a.availableGpus === b.availableGpus &&
    a.ready === b.ready &&
    a.readyReason === b.readyReason &&
    a.stale === b.stale &&
    a.region === b.region &&
    // jsonb does not keep key order, so compare sorted entries.
    canonicalLabels(a.labels) === canonicalLabels(b.labels)
  );
}

function canonicalLabels(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function addedEvent(state: ClusterState): NewEvent {
  const where = state.region ? ` in ${state.region}` : "";
  const readiness = state.ready ? "Ready" : `NotReady (${state.readyReason}) and no placement candidate yet`;
  return {
    kind: "cluster.added",
    severity: state.ready ? "info" : "warning",
    clusterName: state.name,
    message: `cluster ${state.name} joined${where}: ${describeCores(state.cpu.available)} of ${describeCores(state.cpu.allocatable)} CPU and ${describeBytes(state.memory.available)} of ${describeBytes(state.memory.allocatable)} memory available, ${state.gpus.allocatable} GPU(s); ${readiness}`,
    detail: { region: state.region ?? null, carbonIntensity: state.carbonIntensity ?? null },
  };
}

function transitionEvents(previous: ClusterRecord, state: ClusterState, next: SyncedFigures): NewEvent[] {
  const events: NewEvent[] = [];
  if (previous.ready && !state.ready) {
    events.push({
      kind: "cluster.not-ready",
      severity: "warning",
      clusterName: state.name,
      message: `cluster ${state.name} became NotReady (${state.readyReason}${state.readyMessage ? `: ${state.readyMessage}` : ""}); it is no placement candidate until it is Ready again`,
      detail: { reason: state.readyReason, message: state.readyMessage },
    });
  } else if (!previous.ready && state.ready) {
    const wasRemoved = previous.readyReason === REMOVED_FROM_KARMADA;
    events.push({
      kind: "cluster.ready",
      clusterName: state.name,
      message: wasRemoved ? `cluster ${state.name} is a Karmada member cluster again and Ready` : `cluster ${state.name} is Ready again and a placement candidate`,
      detail: { previousReason: previous.readyReason },
    });
  }
  // Figures of a NotReady cluster are stale, so only changes between two Ready observations count.
  if (previous.ready && state.ready && isNotableCapacityChange(previous, next)) {
    events.push({
      kind: "cluster.capacity-changed",
      clusterName: state.name,
      message: `cluster ${state.name} capacity changed: CPU ${describeCores(previous.availableCpu)} → ${describeCores(next.availableCpu)} available of ${describeCores(next.allocatableCpu)}, memory ${describeBytes(previous.availableMemory)} → ${describeBytes(next.availableMemory)} available of ${describeBytes(next.allocatableMemory)}, GPUs ${previous.gpus} → ${next.gpus}`,
      detail: {
        before: { availableCpu: previous.availableCpu, allocatableCpu: previous.allocatableCpu, availableMemory: previous.availableMemory, allocatableMemory: previous.allocatableMemory, gpus: previous.gpus },
        after: { availableCpu: next.availableCpu, allocatableCpu: next.allocatableCpu, availableMemory: next.availableMemory, allocatableMemory: next.allocatableMemory, gpus: next.gpus },
      },
    });
  }
  return events;
}

/** Any change of allocatable CPU, memory or GPUs; available CPU or memory moving by ≥ NOTABLE_CAPACITY_SHARE of allocatable. */
export function isNotableCapacityChange(before: SyncedFigures, after: SyncedFigures): boolean {
  if (before.allocatableCpu !== after.allocatableCpu || before.allocatableMemory !== after.allocatableMemory || before.gpus !== after.gpus) return true;
  const cpuShift = Math.abs(after.availableCpu - before.availableCpu);
  const memoryShift = Math.abs(after.availableMemory - before.availableMemory);
  return cpuShift >= NOTABLE_CAPACITY_SHARE * after.allocatableCpu || memoryShift >= NOTABLE_CAPACITY_SHARE * after.allocatableMemory;
}

/**
 * Known, listed clusters without a dashboard URL and with no dashboard step still waiting (e.g. they
 * were first seen while no Grafana was configured): their dashboard is published now.
 */
async function clustersMissingDashboards(db: StoreContext["db"], previousRows: Map<string, ClusterRecord>, listed: Set<string>): Promise<string[]> {
  const candidates = [...previousRows.values()].filter((row) => row.grafanaUrl === null && listed.has(row.name)).map((row) => row.name);
  if (candidates.length === 0) return [];
  const waiting = await db
    .select({ target: operationSteps.target })
    .from(operationSteps)
    .where(and(eq(operationSteps.action, CLUSTER_DASHBOARD_STEP), inArray(operationSteps.target, candidates), inArray(operationSteps.status, ["pending", "running", "deferred"])));
  const waitingFor = new Set(waiting.map((step) => step.target));
  return candidates.filter((name) => !waitingFor.has(name));
}

function describeCores(cores: number): string {
  return `${Number(cores.toFixed(2))} cores`;
}

function describeBytes(bytes: number): string {
  return `${Number((bytes / 2 ** 30).toFixed(1))} GiB`;
}
