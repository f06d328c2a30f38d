/**
 * The sandbox's hand on the simulated members: reachability and capacity faults (also served
 * as `/sim/v1/...` control endpoints) and the federation view the metrics emulators read.
 */
import type { SimClusterInfo, SimWorkload } from "../types";
import { nowTimestamp } from "./api";
import { clusterInfoOf, memberFromCluster, parseResourceList, withCapacity, withReadiness, withResourceSummary, type Member } from "./clusters";
import { RESOURCE_TYPES, type KubeObject } from "./resources";
import { podResourcesOf, type KarmadaController } from "./scheduler";
import type { ControlResponse } from "./server";
import type { ObjectStore } from "./store";

const CLUSTERS = RESOURCE_TYPES.find((type) => type.group === "cluster.karmada.io" && type.plural === "clusters")!;
const DEPLOYMENTS = RESOURCE_TYPES.find((type) => type.group === "apps" && type.plural === "deployments")!;
const BINDINGS = RESOURCE_TYPES.find((type) => type.group === "work.karmada.io" && type.plural === "resourcebindings")!;

export type CapacityChange = { cpu?: string; memory?: string; gpus?: number };

/** The allocated/allocating amounts a Cluster object currently reports. */
function usageOf(cluster: KubeObject) {
  const summary = (cluster.status as { resourceSummary?: { allocated?: unknown; allocating?: unknown } } | undefined)?.resourceSummary;
  return { allocated: parseResourceList(summary?.allocated), allocating: parseResourceList(summary?.allocating) };
}

function failure(status: number, error: string): ControlResponse {
  return { status, body: { error } };
}

export class FederationControl {
  constructor(
    private readonly store: ObjectStore,
    private readonly members: Map<string, Member>,
    private readonly controller: KarmadaController,
  ) {}

  listClusters(): SimClusterInfo[] {
    return this.store.list(CLUSTERS).map(clusterInfoOf);
  }

  /** Deployments with the placement of their ResourceBinding and their per-replica resources. */
  listWorkloads(): SimWorkload[] {
    const bindings = new Map(this.store.list(BINDINGS).map((binding) => [`${binding.metadata.namespace}/${binding.metadata.name}`, binding]));
    return this.store.list(DEPLOYMENTS).map((deployment) => {
      const binding = bindings.get(`${deployment.metadata.namespace}/${deployment.metadata.name}-deployment`);
      const targets = (binding?.spec as { clusters?: { name: string; replicas: number }[] } | undefined)?.clusters ?? [];
      const labels = deployment.metadata.labels ?? {};
      const resources = podResourcesOf(deployment);
      return {
        namespace: deployment.metadata.namespace!,
        name: deployment.metadata.name!,
        service: labels["app.kubernetes.io/instance"] ?? labels.app ?? deployment.metadata.name!,
        placements: targets.map((target) => ({ cluster: target.name, replicas: target.replicas })),
        replicas: (deployment.spec as { replicas?: number }).replicas ?? 0,
        availableReplicas: (deployment.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0,
        cpuRequest: resources.request.cpu,
        cpuLimit: resources.cpuLimit,
        memoryRequest: resources.request.memory,
      };
    });
  }

  /**
   * Makes a member reachable or not, as Karmada's cluster controllers would record it: only the
   * Ready condition and the not-ready taint change at once; workloads follow after the delay.
   */
  setClusterReady(name: string, ready: boolean): KubeObject {
    const cluster = this.clusterObject(name);
    const member = this.members.get(name)!;
    member.ready = ready;
    let next = withReadiness(cluster, ready, nowTimestamp());
    // Back online: the status controller collects allocatable at once; allocated follows after the controllers' delay.
    if (ready) {
      const usage = usageOf(cluster);
      next = withResourceSummary(next, member, usage.allocated, usage.allocating);
    }
    // The taint lives in spec: a real cluster controller's update bumps the generation.
    if (JSON.stringify(next.spec) !== JSON.stringify(cluster.spec)) next.metadata.generation = (cluster.metadata.generation ?? 1) + 1;
    const stored = JSON.stringify(next) === JSON.stringify(cluster) ? cluster : this.store.put(CLUSTERS, next, "controller");
    this.controller.requestReconcile();
    return stored;
  }

  /** Changes a member's capacity; an unreachable member's new capacity is not observed until it is back. */
  setClusterCapacity(name: string, change: CapacityChange): KubeObject {
    const cluster = this.clusterObject(name);
    const member = withCapacity(this.members.get(name)!, change);
    this.members.set(name, member);
    let stored = cluster;
    if (member.ready) {
      const usage = usageOf(cluster);
      const next = withResourceSummary(cluster, member, usage.allocated, usage.allocating);
      if (JSON.stringify(next) !== JSON.stringify(cluster)) stored = this.store.put(CLUSTERS, next, "controller");
    }
    this.controller.requestReconcile();
    return stored;
  }

  /** `GET /sim/v1/state`, `GET /sim/v1/clusters[/{name}]`, `POST /sim/v1/clusters/{name}` `{ready?, cpu?, memory?, gpus?}`. */
  handle(method: string, segments: string[], body: unknown): ControlResponse {
    if (method === "GET" && segments.length === 1 && segments[0] === "state") {
      return { status: 200, body: { clusters: this.listClusters(), workloads: this.listWorkloads() } };
    }
    if (method === "GET" && segments.length === 1 && segments[0] === "clusters") return { status: 200, body: this.listClusters() };
    if (segments[0] !== "clusters" || segments.length !== 2) return failure(404, `no sandbox control endpoint ${method} /sim/v1/${segments.join("/")}`);
    const name = segments[1]!;
    const cluster = this.store.get(CLUSTERS, undefined, name);
    if (!cluster) return failure(404, `cluster "${name}" not found`);
    if (method === "GET") return { status: 200, body: cluster };
    if (method !== "POST") return failure(405, `${method} is not allowed on /sim/v1/clusters/${name}; use GET or POST`);
    if (body === null || typeof body !== "object" || Array.isArray(body)) return failure(400, "the body must be a JSON object");
    const fields = body as Record<string, unknown>;
    const unknown = Object.keys(fields).filter((key) => !["ready", "cpu", "memory", "gpus"].includes(key));
    if (unknown.length > 0) return failure(400, `unknown field(s): ${unknown.join(", ")}; allowed: ready, cpu, memory, gpus`);
    if (fields.ready !== undefined && typeof fields.ready !== "boolean") return failure(400, "ready: must be a boolean");
    for (const field of ["cpu", "memory"]) {
      if (fields[field] !== undefined && typeof fields[field] !== "string") return failure(400, `${field}: must be a quantity string such as "16" or "64Gi"`);
    }
    if (fields.gpus !== undefined && typeof fields.gpus !== "number") return failure(400, "gpus: must be a non-negative integer");
    const change: CapacityChange = { cpu: fields.cpu as string | undefined, memory: fields.memory as string | undefined, gpus: fields.gpus as number | undefined };
    const changesCapacity = change.cpu !== undefined || change.memory !== undefined || change.gpus !== undefined;
    try {
      // Validate before changing anything, so a bad field changes nothing.
      if (changesCapacity) withCapacity(this.members.get(name) ?? memberFromCluster(cluster), change);
    } catch (error) {
      return failure(400, (error as Error).message);
    }
    let result = cluster;
    if (changesCapacity) result = this.setClusterCapacity(name, change);
    if (typeof fields.ready === "boolean") result = this.setClusterReady(name, fields.ready);
    return { status: 200, body: result };
  }

  private clusterObject(name: string): KubeObject {
    const cluster = this.store.get(CLUSTERS, undefined, name);
    if (!cluster) throw new Error(`cluster "${name}" not found`);
    if (!this.members.has(name)) this.members.set(name, memberFromCluster(cluster));
    return cluster;
  }
}
