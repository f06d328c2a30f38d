/**
 * What SMO reads from and writes to the Karmada API server, as plain data. CPU is in cores,
 * memory in bytes; quantity strings never leave lib/karmada.
 */

import type { PrometheusRule } from "./schemas";

export type { PrometheusRule, PrometheusRuleGroup, PrometheusRuleEntry } from "./schemas";

/** Capacity of one resource on one member cluster. */
export type ResourceFigures = {
  allocatable: number;
  /** Requests of the pods running there. */
  allocated: number;
  /** Requests of the pods being scheduled there (Karmada reports this rarely). */
  allocating: number;
  /** allocatable − allocated − allocating, never negative. */
  available: number;
};

export type ClusterTaint = { key: string; value?: string; effect: string };

/** One Karmada member cluster as SMO sees it. */
export type ClusterState = {
  name: string;
  /** The `Ready` condition is True. A cluster without that condition is not ready. */
  ready: boolean;
  readyReason: string;
  readyMessage: string;
  /** True when not Ready: Karmada keeps the last good resourceSummary, so the figures are out of date. */
  stale: boolean;
  cpu: ResourceFigures;
  memory: ResourceFigures;
  gpus: { allocatable: number; available: number };
  pods: { allocatable: number; available: number };
  region?: string;
  zone?: string;
  provider?: string;
  /** From the label `smo.eu/carbon-intensity`; undefined when absent or not a number. */
  carbonIntensity?: number;
  kubernetesVersion?: string;
  taints: ClusterTaint[];
  labels: Record<string, string>;
};

export type ObjectRef = { namespace: string; name: string };

/** A Deployment on the Karmada API server: replicas are federation-wide totals. */
export type DeploymentState = {
  namespace: string;
  name: string;
  /** Desired replicas (`spec.replicas`, 1 when unset as Kubernetes defaults it). */
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  updatedReplicas: number;
  /** CPU cores per replica: the sum over containers of the limit, or the request when no limit is set. */
  cpuLimit: number;
  /** Memory bytes per replica, summed the same way. */
  memoryLimit: number;
  labels: Record<string, string>;
  /** The PropagationPolicy that claimed the Deployment (from Karmada's annotations). */
  propagationPolicy?: ObjectRef;
};

export type LabelSelectorRequirement = { key: string; operator: string; values?: string[] };
export type LabelSelector = { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] };

export type ResourceSelector = {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  labelSelector?: LabelSelector;
};

export type PropagationPolicyState = {
  namespace: string;
  name: string;
  /** Karmada's explicit priority (higher wins); 0 when unset. */
  priority: number;
  resourceSelectors: ResourceSelector[];
  /** Clusters the policy allows by name (clusterAffinity.clusterNames minus exclude; union over clusterAffinities). */
  clusterNames: string[];
  replicaSchedulingType?: string;
};

/** The outcome of a read-modify-write of a PrometheusRule. */
export type PrometheusRuleUpdate = {
  /** The stored rule after the update (or as read when nothing changed; undefined when absent and not created). */
  rule: PrometheusRule | undefined;
  /** A write (PUT or POST) happened. */
  written: boolean;
  created: boolean;
  /** Requests answered 409 (stale resourceVersion, or a concurrent create) and retried. */
  conflicts: number;
};

/** Returns the rule to store, or undefined to leave it as it is. Receives a private copy; may run several times. */
export type PrometheusRuleMutation = (current: PrometheusRule | undefined) => PrometheusRule | undefined;

export type PingResult = { ok: boolean; message: string };

/** The operations SMO needs from Karmada; tests and other modules can satisfy it with narrower fakes via Pick. */
export type KarmadaClient = {
  /** The API server URL, for messages. */
  readonly server: string;
  /** Every member cluster, in the API server's order. */
  listClusters(): Promise<ClusterState[]>;
  /** undefined when the Deployment (or its namespace) does not exist. */
  getDeployment(namespace: string, name: string): Promise<DeploymentState | undefined>;
  /** Sets the federation-wide replicas through the scale subresource; returns the replicas the server stored. NotFoundError when missing. */
  scaleDeployment(namespace: string, name: string, replicas: number): Promise<number>;
  /** undefined when missing. */
  getPrometheusRule(namespace: string, name: string): Promise<PrometheusRule | undefined>;
  /** ConflictError when the name is taken. */
  createPrometheusRule(namespace: string, rule: PrometheusRule): Promise<PrometheusRule>;
  /** GET → mutate → PUT with the fetched resourceVersion (POST when missing), redone on 409; ConflictError when attempts run out. */
  updatePrometheusRule(namespace: string, name: string, mutate: PrometheusRuleMutation): Promise<PrometheusRuleUpdate>;
  /** [] for a namespace without policies (or that does not exist). */
  listPropagationPolicies(namespace: string): Promise<PropagationPolicyState[]>;
  /** Member clusters a release's Deployment runs on (policy clusters, narrowed by the ResourceBinding when there is one); [] when unplaced. */
  getReleasePlacement(namespace: string, deploymentName: string): Promise<string[]>;
  /** Never throws: ok=false with the reason when the API server cannot be used. */
  ping(): Promise<PingResult>;
};

/** The PrometheusRule part of the client, which the alert rule manager needs. */
export type PrometheusRuleStore = Pick<KarmadaClient, "getPrometheusRule" | "updatePrometheusRule">;
