/**
 * Synthetic metrics for whatever the simulated federation runs, as a Prometheus scraping
 * cAdvisor, kube-state-metrics and the services' Flask exporters every 15 s would store them.
 *
 * The federation is observed as snapshots (recorded when it changes); a snapshot holds from
 * its time until the next one, and the first one also backwards over a backfill window, so
 * charts have history at start. Each service receives a request load (a LoadProfile, steered by
 * tests and the console) spread evenly over its ready pods; CPU follows the load (a replica
 * serving NOMINAL_RPS_PER_REPLICA uses its CPU request), capped by the CPU limit, the excess
 * showing as CFS throttling; memory stays near the request. Counters are cumulative sums of
 * their rate on the scrape grid, so rate()/increase() see what a real Prometheus would.
 */

import { ValidationError } from "../../lib/errors";
import type { SimClusterInfo, SimFederationView, SimWorkload } from "../types";
import { matchValue, type Labels, type Matcher, type SeriesSource, type StoredSeries } from "./promql-eval";

export type LoadProfile =
  | { kind: "steady"; rps: number }
  /** From fromRps to toRps linearly over durationSeconds after setLoad, then toRps. */
  | { kind: "ramp"; fromRps: number; toRps: number; durationSeconds: number }
  /** burstRps during the first burstSeconds of every periodSeconds (counted from setLoad), baseRps otherwise. */
  | { kind: "burst"; baseRps: number; burstRps: number; periodSeconds: number; burstSeconds: number };

export const DEFAULT_SCRAPE_INTERVAL_MS = 15_000;
export const DEFAULT_BACKFILL_MS = 6 * 3_600_000;
/** Requests per second at which a replica uses exactly its CPU request. */
export const NOMINAL_RPS_PER_REPLICA = 10;
/** CPU an idle replica uses, as a fraction of its request. */
export const IDLE_CPU_FRACTION = 0.05;
/** CFS enforces quotas in 100 ms periods: 10 periods per second per container with a CPU limit. */
export const CFS_PERIODS_PER_SECOND = 10;
const DEFAULT_CPU_REQUEST = 0.1;
const DEFAULT_MEMORY_REQUEST = 128 * 2 ** 20;
/** Cumulative counter sums are cached every this many scrapes (one hour at 15 s). */
const CHECKPOINT_SCRAPES = 240;
const MAX_INDEXED_SNAPSHOTS = 64;

/** A modest steady load, different per service but the same on every run. */
export function defaultLoadProfile(service: string): LoadProfile {
  return { kind: "steady", rps: 1 + (fnv1a(service) % 50) / 10 };
}

export function validateLoadProfile(profile: LoadProfile, path = "profile"): void {
  const issues: { path: string; message: string }[] = [];
  const rate = (name: string, value: unknown) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) issues.push({ path: `${path}.${name}`, message: `must be a finite number ≥ 0, got ${String(value)}` });
  };
  const seconds = (name: string, value: unknown) => {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) issues.push({ path: `${path}.${name}`, message: `must be a number of seconds > 0, got ${String(value)}` });
  };
  switch (profile.kind) {
    case "steady":
      rate("rps", profile.rps);
      break;
    case "ramp":
      rate("fromRps", profile.fromRps);
      rate("toRps", profile.toRps);
      seconds("durationSeconds", profile.durationSeconds);
      break;
    case "burst":
      rate("baseRps", profile.baseRps);
      rate("burstRps", profile.burstRps);
      seconds("periodSeconds", profile.periodSeconds);
      seconds("burstSeconds", profile.burstSeconds);
      if (issues.length === 0 && profile.burstSeconds > profile.periodSeconds) {
        issues.push({ path: `${path}.burstSeconds`, message: `must not exceed periodSeconds (${profile.periodSeconds})` });
      }
      break;
    default:
      issues.push({ path: `${path}.kind`, message: `must be "steady", "ramp" or "burst", got ${JSON.stringify((profile as { kind: unknown }).kind)}` });
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/** Requests per second of `profile`, set at `fromMs`, at time `timeMs`. */
export function loadAt(profile: LoadProfile, fromMs: number, timeMs: number): number {
  const elapsed = Math.max(0, (timeMs - fromMs) / 1000);
  switch (profile.kind) {
    case "steady":
      return profile.rps;
    case "ramp":
      return elapsed >= profile.durationSeconds ? profile.toRps : profile.fromRps + ((profile.toRps - profile.fromRps) * elapsed) / profile.durationSeconds;
    case "burst":
      return elapsed % profile.periodSeconds < profile.burstSeconds ? profile.burstRps : profile.baseRps;
  }
}

type PodInfo = { cluster: string; namespace: string; pod: string; service: string; ready: boolean; workload: SimWorkload };
type SeriesEntry = { labels: Labels; value: (timeMs: number) => number };
type Family = { name: string; kind: "counter" | "gauge"; build: (snapshot: Snapshot) => SeriesEntry[] };

type Snapshot = {
  at: number;
  signature: string;
  clusters: SimClusterInfo[];
  workloads: SimWorkload[];
  pods: PodInfo[];
  readyPodsByService: Map<string, number>;
  index: Map<string, Map<string, SeriesEntry>>;
};

export type SyntheticMetricsOptions = {
  federation: SimFederationView;
  now: () => number;
  scrapeIntervalMs?: number;
  backfillMs?: number;
  /** host:port of the emulator, the `instance` of its own `up{job="prometheus"}` series. */
  selfInstance?: string;
};

export class SyntheticMetrics implements SeriesSource {
  private readonly federation: SimFederationView;
  private readonly now: () => number;
  readonly scrapeIntervalMs: number;
  private readonly anchorIndex: number;
  private readonly snapshots: Snapshot[] = [];
  private readonly loads = new Map<string, { fromMs: number; profile: LoadProfile }[]>();
  private readonly checkpoints = new Map<string, number[]>();
  private readonly indexedSnapshots: Snapshot[] = [];
  private readonly families: Family[];
  selfInstance: string;

  constructor(options: SyntheticMetricsOptions) {
    this.federation = options.federation;
    this.now = options.now;
    this.scrapeIntervalMs = options.scrapeIntervalMs ?? DEFAULT_SCRAPE_INTERVAL_MS;
    this.selfInstance = options.selfInstance ?? "localhost:9090";
    const start = this.now();
    this.anchorIndex = Math.ceil((start - (options.backfillMs ?? DEFAULT_BACKFILL_MS)) / this.scrapeIntervalMs);
    this.families = buildFamilies(this);
    this.recordSnapshot();
  }

  /** Observes the federation; a change becomes a new snapshot effective from now. */
  recordSnapshot(): void {
    const clusters = this.federation.listClusters();
    const workloads = this.federation.listWorkloads();
    const signature = JSON.stringify([clusters, workloads]);
    const last = this.snapshots.at(-1);
    if (last?.signature === signature) return;
    const at = Math.max(this.now(), last?.at ?? Number.NEGATIVE_INFINITY);
    this.snapshots.push(buildSnapshot(at, signature, clusters, workloads));
  }

  setLoad(service: string, profile: LoadProfile): void {
    if (typeof service !== "string" || service === "") throw new ValidationError([{ path: "service", message: "must be a non-empty service name" }]);
    validateLoadProfile(profile);
    const history = this.loads.get(service) ?? [];
    const fromMs = Math.max(this.now(), history.at(-1)?.fromMs ?? Number.NEGATIVE_INFINITY);
    history.push({ fromMs, profile: structuredClone(profile) });
    this.loads.set(service, history);
  }

  /** Every service that runs in the federation or was given a load, with its demand at `timeMs`, by name. */
  currentLoads(timeMs: number): { service: string; requestsPerSecond: number }[] {
    const services = new Set([...this.federation.listWorkloads().map((workload) => workload.service), ...this.loads.keys()]);
    return [...services].sort().map((service) => ({ service, requestsPerSecond: this.requestRate(service, timeMs) }));
  }

  /** Demand on `service` at `timeMs`, in requests per second. */
  requestRate(service: string, timeMs: number): number {
    const history = this.loads.get(service);
    if (history) {
      for (let index = history.length - 1; index >= 0; index--) {
        const entry = history[index]!;
        if (entry.fromMs <= timeMs) return loadAt(entry.profile, entry.fromMs, timeMs);
      }
    }
    return loadAt(defaultLoadProfile(service), Number.NEGATIVE_INFINITY, timeMs);
  }

  select(matchers: Matcher[], mintMs: number, maxtMs: number): StoredSeries[] {
    this.pruneIndexes();
    const step = this.scrapeIntervalMs;
    const firstIndex = Math.max(this.anchorIndex, Math.ceil(mintMs / step));
    const lastIndex = Math.floor(Math.min(maxtMs, this.now()) / step);
    if (firstIndex > lastIndex) return [];
    const nameMatchers = matchers.filter((m) => m.name === "__name__");
    const families = this.families.filter((family) => nameMatchers.every((m) => matchValue(m, family.name)));
    const firstSnapshot = this.snapshotIndexAt(firstIndex * step);
    const lastSnapshot = this.snapshotIndexAt(lastIndex * step);

    const selected: StoredSeries[] = [];
    for (const family of families) {
      const candidates = new Map<string, Labels>();
      for (let s = firstSnapshot; s <= lastSnapshot; s++) {
        for (const [key, entry] of this.familyIndex(this.snapshots[s]!, family)) {
          if (!candidates.has(key) && matchers.every((m) => matchValue(m, entry.labels[m.name] ?? ""))) candidates.set(key, entry.labels);
        }
      }
      for (const [key, labels] of candidates) selected.push(this.samples(family, key, labels, firstIndex, lastIndex));
    }
    return selected;
  }

  private samples(family: Family, key: string, labels: Labels, firstIndex: number, lastIndex: number): StoredSeries {
    const step = this.scrapeIntervalMs;
    const series: StoredSeries = { labels, times: [], values: [], staleTimes: [] };
    let cumulative = family.kind === "counter" ? this.cumulativeBefore(family, key, firstIndex) : 0;
    let existed = firstIndex > this.anchorIndex && this.entryAt(family, key, (firstIndex - 1) * step) !== undefined;
    for (let index = firstIndex; index <= lastIndex; index++) {
      const time = index * step;
      const entry = this.entryAt(family, key, time);
      if (!entry) {
        if (existed) series.staleTimes.push(time);
        existed = false;
        continue;
      }
      existed = true;
      const value = entry.value(time);
      if (family.kind === "counter") {
        cumulative += (value * step) / 1000;
        series.values.push(cumulative);
      } else {
        series.values.push(value);
      }
      series.times.push(time);
    }
    return series;
  }

  /** Sum of a counter's increments over the scrapes before `index`, using cached hourly checkpoints. */
  private cumulativeBefore(family: Family, key: string, index: number): number {
    const cacheKey = `${family.name}\u0000${key}`;
    const checkpoints = this.checkpoints.get(cacheKey) ?? [0];
    this.checkpoints.set(cacheKey, checkpoints);
    const wanted = Math.floor((index - this.anchorIndex) / CHECKPOINT_SCRAPES);
    // Only scrapes strictly in the past are final (a load or federation change applies from now on).
    const finalBefore = Math.floor(this.now() / this.scrapeIntervalMs);
    while (checkpoints.length - 1 < wanted) {
      const from = this.anchorIndex + (checkpoints.length - 1) * CHECKPOINT_SCRAPES;
      const to = from + CHECKPOINT_SCRAPES;
      if (to > finalBefore) break;
      checkpoints.push(checkpoints.at(-1)! + this.sumIncrements(family, key, from, to));
    }
    const usable = Math.min(wanted, checkpoints.length - 1);
    const from = this.anchorIndex + usable * CHECKPOINT_SCRAPES;
    return checkpoints[usable]! + this.sumIncrements(family, key, from, index);
  }

  private sumIncrements(family: Family, key: string, fromIndex: number, toIndex: number): number {
    let sum = 0;
    for (let index = fromIndex; index < toIndex; index++) {
      const time = index * this.scrapeIntervalMs;
      const entry = this.entryAt(family, key, time);
      if (entry) sum += (entry.value(time) * this.scrapeIntervalMs) / 1000;
    }
    return sum;
  }

  private entryAt(family: Family, key: string, time: number): SeriesEntry | undefined {
    return this.familyIndex(this.snapshots[this.snapshotIndexAt(time)]!, family).get(key);
  }

  private familyIndex(snapshot: Snapshot, family: Family): Map<string, SeriesEntry> {
    let index = snapshot.index.get(family.name);
    if (!index) {
      if (snapshot.index.size === 0) this.rememberIndexed(snapshot);
      index = new Map();
      for (const entry of family.build(snapshot)) index.set(labelsSignature(entry.labels), entry);
      snapshot.index.set(family.name, index);
    }
    return index;
  }

  private rememberIndexed(snapshot: Snapshot): void {
    this.indexedSnapshots.push(snapshot);
  }

  /**
   * Series indexes are rebuilt on demand, so between queries only those of the most recently
   * indexed snapshots are kept (never during a query, which would rebuild them over and over).
   */
  private pruneIndexes(): void {
    while (this.indexedSnapshots.length > MAX_INDEXED_SNAPSHOTS) this.indexedSnapshots.shift()!.index.clear();
  }

  /** The snapshot in force at `time`; the first one also covers the backfill before it. */
  private snapshotIndexAt(time: number): number {
    let low = 0;
    let high = this.snapshots.length - 1;
    let found = 0;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.snapshots[middle]!.at <= time) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  /** Requests per second one pod of the snapshot receives at `time`. */
  podRequestRate(snapshot: Snapshot, pod: PodInfo, time: number): number {
    if (!pod.ready) return 0;
    const readyPods = snapshot.readyPodsByService.get(pod.service) ?? 0;
    return readyPods === 0 ? 0 : this.requestRate(pod.service, time) / readyPods;
  }
}

function buildSnapshot(at: number, signature: string, clusters: SimClusterInfo[], workloads: SimWorkload[]): Snapshot {
  const readyClusters = new Set(clusters.filter((c) => c.ready).map((c) => c.name));
  const pods: PodInfo[] = [];
  const readyPodsByService = new Map<string, number>();
  for (const workload of workloads) {
    // Available replicas are handed to placements in order: the rest are still starting.
    let available = workload.availableReplicas;
    for (const placement of workload.placements) {
      if (!readyClusters.has(placement.cluster)) continue;
      const replicaSet = hashText(`${workload.namespace}/${workload.name}/${placement.cluster}`, 10);
      for (let replica = 0; replica < placement.replicas; replica++) {
        const ready = available > 0;
        if (ready) available--;
        pods.push({
          cluster: placement.cluster,
          namespace: workload.namespace,
          pod: `${workload.name}-${replicaSet}-${podSuffix(`${replicaSet}/${replica}`)}`,
          service: workload.service,
          ready,
          workload,
        });
        if (ready) readyPodsByService.set(workload.service, (readyPodsByService.get(workload.service) ?? 0) + 1);
      }
    }
  }
  return { at, signature, clusters, workloads, pods, readyPodsByService, index: new Map() };
}

function buildFamilies(metrics: SyntheticMetrics): Family[] {
  const podLabels = (pod: PodInfo): Labels => ({ cluster: pod.cluster, namespace: pod.namespace, pod: pod.pod, container: pod.workload.name });
  const cpuModel = (snapshot: Snapshot, pod: PodInfo, time: number) => {
    const request = pod.workload.cpuRequest > 0 ? pod.workload.cpuRequest : DEFAULT_CPU_REQUEST;
    const demand = request * (IDLE_CPU_FRACTION + metrics.podRequestRate(snapshot, pod, time) / NOMINAL_RPS_PER_REPLICA);
    const limit = pod.workload.cpuLimit;
    const usage = limit > 0 ? Math.min(demand, limit) : demand;
    return { usage, throttledFraction: limit > 0 && demand > limit ? 1 - limit / demand : 0 };
  };
  const workingSet = (snapshot: Snapshot, pod: PodInfo, time: number) => {
    const request = pod.workload.memoryRequest > 0 ? pod.workload.memoryRequest : DEFAULT_MEMORY_REQUEST;
    const load = Math.min(1, metrics.podRequestRate(snapshot, pod, time) / NOMINAL_RPS_PER_REPLICA);
    return Math.round(request * (0.6 + 0.3 * load));
  };
  const perPod = (name: string, kind: Family["kind"], entry: (snapshot: Snapshot, pod: PodInfo) => SeriesEntry[]): Family => ({
    name,
    kind,
    build: (snapshot) => snapshot.pods.flatMap((pod) => entry(snapshot, pod)).map((e) => ({ ...e, labels: { __name__: name, ...e.labels } })),
  });
  const readyClusters = (snapshot: Snapshot) => snapshot.clusters.filter((c) => c.ready);
  const deployments = (snapshot: Snapshot) =>
    snapshot.workloads.flatMap((workload) => {
      let available = workload.availableReplicas;
      return workload.placements
        .filter((p) => readyClusters(snapshot).some((c) => c.name === p.cluster))
        .map((placement) => {
          const ready = Math.min(placement.replicas, available);
          available -= ready;
          return { cluster: placement.cluster, namespace: workload.namespace, deployment: workload.name, replicas: placement.replicas, ready };
        });
    });
  const withName = (name: string, entries: SeriesEntry[]) => entries.map((e) => ({ ...e, labels: { __name__: name, ...e.labels } }));
  const nodeResources = (cluster: SimClusterInfo) => [
    { resource: "cpu", unit: "core", value: cluster.cpu },
    { resource: "memory", unit: "byte", value: cluster.memory },
    ...(cluster.gpus > 0 ? [{ resource: "nvidia_com_gpu", unit: "integer", value: cluster.gpus }] : []),
  ];
  const nodeFamily = (name: string): Family => ({
    name,
    kind: "gauge",
    build: (snapshot) =>
      withName(
        name,
        readyClusters(snapshot).flatMap((cluster) =>
          nodeResources(cluster).map(({ resource, unit, value }) => ({
            labels: { cluster: cluster.name, node: `${cluster.name}-node-1`, resource, unit },
            value: () => value,
          })),
        ),
      ),
  });
  const deploymentFamily = (name: string, pick: (d: ReturnType<typeof deployments>[number]) => number): Family => ({
    name,
    kind: "gauge",
    build: (snapshot) =>
      withName(
        name,
        deployments(snapshot).map((d) => ({ labels: { cluster: d.cluster, namespace: d.namespace, deployment: d.deployment }, value: () => pick(d) })),
      ),
  });

  return [
    perPod("container_cpu_usage_seconds_total", "counter", (snapshot, pod) => [
      { labels: podLabels(pod), value: (time) => cpuModel(snapshot, pod, time).usage },
    ]),
    perPod("container_cpu_cfs_periods_total", "counter", (_snapshot, pod) =>
      pod.workload.cpuLimit > 0 ? [{ labels: podLabels(pod), value: () => CFS_PERIODS_PER_SECOND }] : [],
    ),
    perPod("container_cpu_cfs_throttled_periods_total", "counter", (snapshot, pod) =>
      pod.workload.cpuLimit > 0 ? [{ labels: podLabels(pod), value: (time) => CFS_PERIODS_PER_SECOND * cpuModel(snapshot, pod, time).throttledFraction }] : [],
    ),
    perPod("container_memory_working_set_bytes", "gauge", (snapshot, pod) => [
      { labels: podLabels(pod), value: (time) => workingSet(snapshot, pod, time) },
    ]),
    // usage includes page cache, so it sits above the working set.
    perPod("container_memory_usage_bytes", "gauge", (snapshot, pod) => [
      { labels: podLabels(pod), value: (time) => Math.round(workingSet(snapshot, pod, time) * 1.2) },
    ]),
    perPod("kube_pod_container_resource_requests", "gauge", (_snapshot, pod) => [
      { labels: { ...podLabels(pod), resource: "cpu", unit: "core" }, value: () => pod.workload.cpuRequest },
      { labels: { ...podLabels(pod), resource: "memory", unit: "byte" }, value: () => pod.workload.memoryRequest },
    ]),
    perPod("kube_pod_container_resource_limits", "gauge", (_snapshot, pod) =>
      pod.workload.cpuLimit > 0 ? [{ labels: { ...podLabels(pod), resource: "cpu", unit: "core" }, value: () => pod.workload.cpuLimit }] : [],
    ),
    perPod("flask_http_request_total", "counter", (snapshot, pod) => [
      {
        labels: { cluster: pod.cluster, namespace: pod.namespace, pod: pod.pod, service: pod.service, method: "GET", status: "200" },
        value: (time) => metrics.podRequestRate(snapshot, pod, time),
      },
    ]),
    deploymentFamily("kube_deployment_spec_replicas", (d) => d.replicas),
    deploymentFamily("kube_deployment_status_replicas_ready", (d) => d.ready),
    deploymentFamily("kube_deployment_status_replicas_available", (d) => d.ready),
    nodeFamily("kube_node_status_allocatable"),
    nodeFamily("kube_node_status_capacity"),
    {
      name: "up",
      kind: "gauge",
      build: (snapshot) =>
        withName("up", [
          { labels: { job: "prometheus", instance: metrics.selfInstance }, value: () => 1 },
          ...snapshot.clusters.flatMap((cluster) => [
            { labels: { cluster: cluster.name, job: "kubelet", instance: `${cluster.name}-node-1:10250` }, value: () => (cluster.ready ? 1 : 0) },
            { labels: { cluster: cluster.name, job: "kube-state-metrics", instance: `kube-state-metrics.${cluster.name}:8080` }, value: () => (cluster.ready ? 1 : 0) },
          ]),
        ]),
    },
  ];
}

function labelsSignature(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}\u0000${labels[name]}`)
    .join("\u0001");
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Kubernetes-style random-looking but deterministic name parts (its "safe" alphabet without vowels). */
const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
function hashText(text: string, length: number): string {
  let out = "";
  let hash = fnv1a(text);
  for (let index = 0; index < length; index++) {
    if (index % 6 === 0) hash = fnv1a(`${text}#${index}`);
    out += NAME_ALPHABET[hash % NAME_ALPHABET.length];
    hash = Math.floor(hash / NAME_ALPHABET.length);
  }
  return out;
}
function podSuffix(text: string): string {
  return hashText(text, 5);
}
