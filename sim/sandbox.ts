/**
 * The sandbox federation in one call: the Kubernetes/Karmada API emulator, Prometheus- and
 * Grafana-compatible endpoints fed by it, and the helm-compatible executable. The console's
 * sandbox mode and `npm run sim` use it; production code reaches it only through the
 * kubeconfig, URLs and HELM_BIN it reports.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NotFoundError } from "../lib/errors";
import { createPrometheusClient } from "../lib/prometheus";
import type { Logger } from "../lib/logger";
import { startGrafanaEmulator, type GrafanaEmulator } from "./grafana";
import { startKubeEmulator, type KubeEmulator, type SimClusterSpec } from "./kube";
import { startPrometheusEmulator, type LoadProfile, type PrometheusEmulator } from "./prometheus";

/** What a client needs to reach the sandbox; printed by `npm run sim` as its first line. */
export type SandboxEndpoints = { kubeconfig: string; prometheusUrl: string; grafanaUrl: string; helmBin: string };

export type SandboxOptions = {
  /** Folder for the kubeconfig and the emulator's state; state survives restarts when given. */
  dataDir?: string;
  host?: string;
  clusters?: SimClusterSpec[];
  /** Grafana basic-auth account of the sandbox (default admin/admin, as a fresh Grafana). */
  grafanaUser?: string;
  grafanaPassword?: string;
  /** Origins allowed to embed Grafana panels (`frame-ancestors`). */
  frameAncestors?: string;
  schedulerDelayMs?: number;
  logger?: Logger;
};

/**
 * The scenario knobs of a running sandbox, for the console's sandbox page: what a real federation
 * would do by itself (a member going offline, traffic rising) made to happen on demand.
 */
export type SandboxControls = {
  /** The member clusters, by name, and whether each is Ready. */
  clusters(): { name: string; ready: boolean }[];
  /** Marks a member Ready or not, as Karmada's cluster controller would; NotFoundError for an unknown one. */
  setClusterReady(name: string, ready: boolean): void;
  /** The request rate of every running (or load-steered) service now, by name. */
  loads(): { service: string; requestsPerSecond: number }[];
  /** Steers a service's request load from now on (the metrics its pods report follow it). */
  setLoad(service: string, profile: LoadProfile): void;
};

export type Sandbox = {
  endpoints: SandboxEndpoints;
  controls: SandboxControls;
  kube: KubeEmulator;
  prometheus: PrometheusEmulator;
  grafana: GrafanaEmulator;
  grafanaAuth: { kind: "basic"; user: string; password: string };
  close: () => Promise<void>;
};

export const SANDBOX_HELM_BIN = fileURLToPath(new URL("./helm/helm", import.meta.url));

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? "127.0.0.1";
  let stateFile: string | undefined;
  let kubeconfigPath: string | undefined;
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    stateFile = path.join(options.dataDir, "federation.json");
    kubeconfigPath = path.join(options.dataDir, "kubeconfig");
  }
  const kube = await startKubeEmulator({
    host,
    clusters: options.clusters,
    stateFile,
    kubeconfigPath,
    schedulerDelayMs: options.schedulerDelayMs,
    logger: options.logger,
  });
  const started: { close: () => Promise<void> }[] = [kube];
  try {
    const prometheus = await startPrometheusEmulator({ federation: kube, host });
    started.push(prometheus);
    const grafanaAuth = { kind: "basic", user: options.grafanaUser ?? "admin", password: options.grafanaPassword ?? "admin" } as const;
    const grafana = await startGrafanaEmulator({
      prometheus: createPrometheusClient({ url: prometheus.url }),
      host,
      user: grafanaAuth.user,
      password: grafanaAuth.password,
      frameAncestors: options.frameAncestors,
    });
    started.push(grafana);
    return {
      endpoints: { kubeconfig: kube.kubeconfigPath, prometheusUrl: prometheus.url, grafanaUrl: grafana.url, helmBin: SANDBOX_HELM_BIN },
      kube,
      prometheus,
      grafana,
      grafanaAuth,
      controls: sandboxControls(kube, prometheus),
      close: () => closeAll(started),
    };
  } catch (error) {
    await closeAll(started);
    throw error;
  }
}

function sandboxControls(kube: KubeEmulator, prometheus: PrometheusEmulator): SandboxControls {
  return {
    clusters: () => kube.listClusters().map((cluster) => ({ name: cluster.name, ready: cluster.ready })),
    setClusterReady: (name, ready) => {
      if (!kube.listClusters().some((cluster) => cluster.name === name)) throw new NotFoundError("cluster", name);
      kube.setClusterReady(name, ready);
    },
    loads: () => prometheus.currentLoads(),
    setLoad: (service, profile) => prometheus.setLoad(service, profile),
  };
}

async function closeAll(started: { close: () => Promise<void> }[]): Promise<void> {
  const results = await Promise.allSettled([...started].reverse().map((component) => component.close()));
  const failed = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed.length) throw new AggregateError(failed.map((result) => result.reason), "closing the sandbox failed");
}
