/**
 * What the sandbox's emulators tell each other. The Kubernetes/Karmada emulator owns the
 * federation state; the Prometheus and Grafana emulators read it through these shapes to
 * produce synthetic metrics for whatever is deployed.
 */

/** A member cluster of the simulated federation as the metrics side sees it. */
export type SimClusterInfo = {
  name: string;
  ready: boolean;
  /** Allocatable CPU cores and memory bytes. */
  cpu: number;
  memory: number;
  /** Requested (allocated) CPU cores and memory bytes by the workloads scheduled there. */
  allocatedCpu: number;
  allocatedMemory: number;
  gpus: number;
};

/** One Deployment of the simulated federation, as scheduled by the emulated Karmada scheduler. */
export type SimWorkload = {
  namespace: string;
  /** Deployment name (the Helm release name, which SMO sets to the service id). */
  name: string;
  /** Value of the Deployment's `app.kubernetes.io/instance` or `app` label when present, else the name. */
  service: string;
  /** Member clusters the workload runs on, with the replicas each runs. */
  placements: { cluster: string; replicas: number }[];
  /** Total desired replicas (federation-wide). */
  replicas: number;
  availableReplicas: number;
  /** Per-replica CPU request/limit in cores and memory in bytes. */
  cpuRequest: number;
  cpuLimit: number;
  memoryRequest: number;
};

/** The view of the federation the metrics emulators read; implemented by the Kubernetes emulator. */
export type SimFederationView = {
  listClusters: () => SimClusterInfo[];
  listWorkloads: () => SimWorkload[];
};
