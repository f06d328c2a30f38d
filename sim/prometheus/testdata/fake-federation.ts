import type { SimClusterInfo, SimFederationView, SimWorkload } from "../../types";

/** A plain, mutable federation view for tests: what the Kubernetes emulator would report. */
export type FakeFederation = SimFederationView & { clusters: SimClusterInfo[]; workloads: SimWorkload[] };

export function createFakeFederation(clusters: SimClusterInfo[], workloads: SimWorkload[]): FakeFederation {
  const federation: FakeFederation = {
    clusters,
    workloads,
    listClusters: () => structuredClone(federation.clusters),
    listWorkloads: () => structuredClone(federation.workloads),
  };
  return federation;
}

export function cluster(name: string, overrides: Partial<SimClusterInfo> = {}): SimClusterInfo {
  return { name, ready: true, cpu: 16, memory: 64 * 2 ** 30, allocatedCpu: 0, allocatedMemory: 0, gpus: 0, ...overrides };
}

/** A Deployment named after its service, spread over clusters as `{ cluster: replicas }`. */
export function workload(service: string, placements: Record<string, number>, overrides: Partial<SimWorkload> = {}): SimWorkload {
  const list = Object.entries(placements).map(([clusterName, replicas]) => ({ cluster: clusterName, replicas }));
  const replicas = list.reduce((sum, p) => sum + p.replicas, 0);
  return {
    namespace: "demo",
    name: service,
    service,
    placements: list,
    replicas,
    availableReplicas: replicas,
    cpuRequest: 0.5,
    cpuLimit: 1,
    memoryRequest: 256 * 2 ** 20,
    ...overrides,
  };
}
