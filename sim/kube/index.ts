/**
 * The sandbox's Kubernetes/Karmada API server emulator: a loopback HTTP server speaking the
 * Kubernetes API (enough for client-node, kubectl and helm), seeded with simulated member
 * clusters, with an emulated Karmada scheduler, fault injection and a federation view for the
 * metrics emulators.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "../../lib/logger";
import type { SimClusterInfo, SimFederationView, SimWorkload } from "../types";
import { KubeApi, nowTimestamp } from "./api";
import { buildClusterObject, DEFAULT_SANDBOX_CLUSTERS, memberFromCluster, memberFromSpec, type Member, type SimClusterSpec } from "./clusters";
import { FederationControl } from "./control";
import { writeKubeconfig } from "./kubeconfig";
import { RESOURCE_TYPES, type ResourceType } from "./resources";
import { KarmadaController } from "./scheduler";
import { createKubeRequestHandler } from "./server";
import { ObjectStore } from "./store";
import { createDualProtocolListener, createSelfSignedCertificate } from "./tls";

export { DEFAULT_SANDBOX_CLUSTERS, type SimClusterSpec } from "./clusters";
export { writeKubeconfig, renderKubeconfig, KUBECONFIG_CONTEXT } from "./kubeconfig";

export type KubeEmulatorOptions = {
  clusters?: SimClusterSpec[];
  token?: string;
  /** Loopback address to bind; default 127.0.0.1. */
  host?: string;
  /** 0 (default) = ephemeral. */
  port?: number;
  /** How long the emulated Karmada controllers lag behind API writes; default 300 ms. */
  schedulerDelayMs?: number;
  /** Default: `kubeconfig` in a fresh temp dir. */
  kubeconfigPath?: string;
  /** When set, the store is loaded from this file at start and saved to it (debounced, atomically) on change. */
  stateFile?: string;
  /**
   * Also speak TLS (self-signed) on the same port and point the kubeconfig at https:// (default
   * true): Go clients (kubectl, helm) send the bearer token over TLS only. `url` stays http://.
   */
  tls?: boolean;
  logger?: Logger;
};

export type KubeEmulator = SimFederationView & {
  url: string;
  token: string;
  kubeconfigPath: string;
  setClusterReady(name: string, ready: boolean): void;
  setClusterCapacity(name: string, capacity: { cpu?: string; memory?: string; gpus?: number }): void;
  close(): Promise<void>;
};

function typeOf(group: string, plural: string): ResourceType {
  return RESOURCE_TYPES.find((type) => type.group === group && type.plural === plural)!;
}

const NAMESPACES = typeOf("", "namespaces");
const CLUSTERS = typeOf("cluster.karmada.io", "clusters");
const PROMETHEUS_RULES = typeOf("monitoring.coreos.com", "prometheusrules");

/** Namespaces of a fresh Karmada control plane, plus `monitoring` for SMO's alert rules. */
const SEED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "karmada-system", "karmada-cluster", "monitoring"];

/** The PrometheusRule kube-prometheus-stack creates from SMO's `additionalPrometheusRules` (group `smo-alerts`, no rules yet). */
const SEED_PROMETHEUS_RULE = {
  metadata: {
    name: "kube-prometheus-stack-0",
    namespace: "monitoring",
    labels: { app: "kube-prometheus-stack", "app.kubernetes.io/managed-by": "Helm", release: "kube-prometheus-stack" },
  },
  spec: { groups: [{ name: "smo-alerts", rules: [] }] },
};

function seedStore(api: KubeApi, store: ObjectStore, clusters: SimClusterSpec[], members: Map<string, Member>): void {
  const now = nowTimestamp();
  for (const name of [...SEED_NAMESPACES, ...clusters.map((cluster) => `karmada-es-${cluster.name}`)]) {
    api.create(NAMESPACES, undefined, { metadata: { name } }, { dryRun: false });
  }
  clusters.forEach((spec, index) => {
    const member = memberFromSpec(spec);
    members.set(spec.name, member);
    const object = buildClusterObject(spec, member, index, now);
    object.metadata.uid = randomUUID();
    object.metadata.creationTimestamp = now;
    object.metadata.generation = 1;
    store.put(CLUSTERS, object, "controller");
  });
  api.create(PROMETHEUS_RULES, "monitoring", SEED_PROMETHEUS_RULE, { dryRun: false });
}

function checkClusterSpecs(clusters: SimClusterSpec[]): void {
  const seen = new Set<string>();
  for (const cluster of clusters) {
    memberFromSpec(cluster);
    if (seen.has(cluster.name)) throw new Error(`cluster "${cluster.name}" is listed twice`);
    seen.add(cluster.name);
  }
}

export async function startKubeEmulator(options: KubeEmulatorOptions = {}): Promise<KubeEmulator> {
  const host = options.host ?? "127.0.0.1";
  // The emulator accepts writes from anyone holding the token: it stays on loopback.
  if (!/^127\.\d+\.\d+\.\d+$/.test(host) && host !== "::1" && host !== "localhost") {
    throw new Error(`host "${host}" is not a loopback address; the Kubernetes emulator binds loopback only`);
  }
  const token = options.token ?? randomBytes(24).toString("hex");
  const clusterSpecs = options.clusters ?? DEFAULT_SANDBOX_CLUSTERS;
  checkClusterSpecs(clusterSpecs);
  const store = new ObjectStore(options.stateFile);
  const api = new KubeApi(store);
  const members = new Map<string, Member>();
  if (store.load()) {
    for (const cluster of store.list(CLUSTERS)) members.set(cluster.metadata.name!, memberFromCluster(cluster));
  } else {
    seedStore(api, store, clusterSpecs, members);
  }
  const controller = new KarmadaController({ store, members, delayMs: options.schedulerDelayMs ?? 300 });

  const control = new FederationControl(store, members, controller);

  const { handle, endWatches } = createKubeRequestHandler({ api, store, token, control: (method, segments, body) => control.handle(method, segments, body), logger: options.logger });
  const plain = createHttpServer(handle);
  const useTls = options.tls ?? true;
  const secure = useTls ? createHttpsServer(createSelfSignedCertificate(), handle) : undefined;
  const server = secure ? createDualProtocolListener(plain, secure) : plain;
  // Sockets handed from the listener to the HTTP(S) servers are not tracked by them: track them here to close them.
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host}:${address.port}`;
  const kubeconfigPath = options.kubeconfigPath ?? join(mkdtempSync(join(tmpdir(), "smo-kube-")), "kubeconfig");
  writeKubeconfig(kubeconfigPath, { url: useTls ? `https://${host}:${address.port}` : url, token });
  controller.start();

  let closed: Promise<void> | undefined;
  return {
    url,
    token,
    kubeconfigPath,
    listClusters: (): SimClusterInfo[] => control.listClusters(),
    listWorkloads: (): SimWorkload[] => control.listWorkloads(),
    setClusterReady: (name, ready) => {
      control.setClusterReady(name, ready);
    },
    setClusterCapacity: (name, capacity) => {
      control.setClusterCapacity(name, capacity);
    },
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        controller.stop();
        endWatches();
        server.close((error) => {
          store.flush();
          if (error) reject(error);
          else resolve();
        });
        for (const socket of sockets) socket.destroy();
      });
      return closed;
    },
  };
}
