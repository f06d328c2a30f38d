/**
 * What every core service verb receives: the database, the clients of the outside world, the
 * configuration, a logger, a clock and who is acting. Built by server/ (or by tests from the
 * sandbox) and passed in; the core imports no singleton.
 */
import type { Database } from "../db";
import type { AlertRuleManager } from "./alerts";
import type { GrafanaClient } from "./grafana";
import type { HelmClient } from "./helm";
import type { KarmadaClient } from "./karmada";
import type { Logger } from "./logger";
import type { FetchedDescriptor } from "./oci";
import type { PlacementAlgorithm, PlacementWeights } from "./placement/types";
import type { PrometheusClient } from "./prometheus";

/** Who performs an action; recorded on operations, events and the audit log. */
export type Actor =
  | { kind: "user"; name: string; userId?: number }
  | { kind: "token"; name: string; tokenId: number }
  | { kind: "alertmanager"; name: "alertmanager" }
  | { kind: "system"; name: string };

export const SYSTEM_ACTOR: Actor = { kind: "system", name: "system" };

export type CoreClients = {
  karmada: KarmadaClient;
  prometheus: PrometheusClient;
  /** Absent when no Grafana is configured: dashboards are then skipped, not failed. */
  grafana?: GrafanaClient;
  helm: HelmClient;
  alertRules: AlertRuleManager;
  /** Reads a descriptor from an oci:// reference or an http(s):// URL. */
  fetchDescriptor: (reference: string) => Promise<FetchedDescriptor>;
};

export type CoreConfig = {
  /** This process, for operation leases and scaler leadership. */
  instanceId: string;
  placement: {
    /** The algorithm of a graph's first placement (the original SMO: first-fit). */
    initialAlgorithm: PlacementAlgorithm;
    /** The algorithm of re-placements. */
    replaceAlgorithm: PlacementAlgorithm;
    weights: PlacementWeights;
    timeLimitSeconds: number;
  };
  deploy: {
    /** Services of one graph installed at the same time. */
    serviceConcurrency: number;
  };
  reconciler: {
    /** Deferred Grafana/Prometheus steps: first retry after this, doubling up to the maximum. */
    initialBackoffMs: number;
    maxBackoffMs: number;
  };
  grafana: {
    /** Base URL that browsers use for links and embeds (may differ from the client's). */
    publicUrl?: string;
    datasourceUid?: string;
  };
};

export const DEFAULT_CORE_CONFIG: Omit<CoreConfig, "instanceId"> = {
  placement: {
    initialAlgorithm: "first-fit",
    replaceAlgorithm: "optimal",
    weights: { migration: 1, carbon: 0, communication: 1, balance: 0 },
    timeLimitSeconds: 10,
  },
  deploy: { serviceConcurrency: 4 },
  reconciler: { initialBackoffMs: 5_000, maxBackoffMs: 180_000 },
  grafana: {},
};

export type CoreContext = {
  db: Database;
  clients: CoreClients;
  config: CoreConfig;
  logger: Logger;
  clock: () => Date;
  actor: Actor;
};

/** The same context acting as someone else (e.g. a background worker acting as the system). */
export function withActor(ctx: CoreContext, actor: Actor): CoreContext {
  return { ...ctx, actor };
}
