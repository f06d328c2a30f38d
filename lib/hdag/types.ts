/**
 * The normalised form of an HDAG descriptor (SPEC §2): what the rest of SMO works with.
 * The verbatim descriptor is kept next to it (`raw`) so that it can be stored and shown as given.
 */

export type LatencyQos = "ultralow" | "low" | "best-effort";

/** A Prometheus alert that deploys an event-triggered service when it fires. */
export type HdagEvent = {
  id: string;
  /** The PromQL expression of the alert rule. */
  promQuery: string;
  /** Prometheus duration for the rule's `for` (e.g. "2m"); undefined when the descriptor gives none. */
  gracePeriod?: string;
  description?: string;
  source: { serviceId?: string; metricId?: string }[];
};

export type HdagTrigger =
  | { kind: "auto"; dependencies: string[] }
  | { kind: "event"; condition: string; events: HdagEvent[] };

export type HdagCompute = {
  /** CPU in cores per replica (size class or explicit quantity). */
  cpu: number;
  /** Memory in bytes per replica. */
  memory: number;
  /** Storage in bytes. */
  storage: number;
  gpu: boolean;
  /** How the descriptor said it, for display: "small", "250m", ... */
  given: { cpu: string; memory: string; storage: string };
};

export type HdagService = {
  id: string;
  trigger: HdagTrigger;
  compute: HdagCompute;
  /** Services this one connects to (union of `intent.connectionPoints` and `intent.network.connectionPoints`). */
  connectionPoints: string[];
  /** QoS per connection point, from `intent.network.latencies`; entries with an empty target are dropped. */
  latencies: Record<string, LatencyQos>;
  /** Services that must run on the same cluster(s) as this one. */
  coLocation: string[];
  metrics: unknown[];
  /** Number of distinct clusters the service must run on (1; more under high availability). */
  spread: number;
  artifact: {
    /** Chart reference as given, e.g. `oci://127.0.0.1:5000/test/noise-reduction`. */
    ociImage: string;
    type: string;
    /** `WOT` puts placement values under `voChartOverwrite`; anything else at the top level. */
    implementer: string;
    run: { name: string; version: string };
    valuesOverwrite: Record<string, unknown>;
  };
};

export type HdagIntent = {
  useStaticPlacement: boolean;
  highAvailability: boolean;
  energyEfficiency: boolean;
  highPerformance: boolean;
  security: boolean;
};

export type Hdag = {
  /** The graph name (descriptor `id`), a DNS-1123 label. */
  id: string;
  version: string;
  designer: string;
  description: string;
  intent: HdagIntent;
  services: HdagService[];
  /** The descriptor exactly as parsed (root object including `hdaGraph`), for storage and display. */
  raw: Record<string, unknown>;
};
