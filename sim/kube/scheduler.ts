/**
 * The emulated Karmada control loop: policy detector (Deployment ↔ PropagationPolicy, with the
 * labels and annotations Karmada adds), scheduler (ResourceBindings), the members' own
 * kube-schedulers (pods that fit run, the rest stay Pending) and the status collectors
 * (Deployment status aggregated from members, Cluster resourceSummary). It runs
 * `delayMs` after an API change, as the real controllers lag behind the API server.
 */
import { createHash, randomUUID } from "node:crypto";
import { tryParseQuantity } from "../../lib/quantity";
import { nowTimestamp } from "./api";
import {
  addAmounts,
  formatResourceList,
  GPU_RESOURCE,
  isClusterReady,
  memberFromCluster,
  systemUsageOf,
  withResourceSummary,
  ZERO_AMOUNTS,
  type Member,
  type ResourceAmounts,
} from "./clusters";
import { CLUSTER_PERMANENT_ID_LABEL, PERMANENT_ID_LABEL } from "./defaults";
import { scheduleBinding, type Placement, type ScheduleResult, type TargetCluster } from "./placement";
import { RESOURCE_TYPES, type KubeObject, type ResourceType } from "./resources";
import { matchesLabelSelector, type LabelSelectorObject } from "./selectors";
import type { ObjectStore } from "./store";

export const POLICY_NAME_ANNOTATION = "propagationpolicy.karmada.io/name";
export const POLICY_NAMESPACE_ANNOTATION = "propagationpolicy.karmada.io/namespace";
export const CLUSTER_POLICY_NAME_ANNOTATION = "clusterpropagationpolicy.karmada.io/name";

/** Per-container request when a container declares neither requests nor limits. */
export const DEFAULT_CONTAINER_REQUEST = { cpu: 0.1, memory: 128 * 2 ** 20 };

function typeOf(group: string, plural: string): ResourceType {
  return RESOURCE_TYPES.find((type) => type.group === group && type.plural === plural)!;
}

const DEPLOYMENTS = typeOf("apps", "deployments");
const CLUSTERS = typeOf("cluster.karmada.io", "clusters");
const POLICIES = typeOf("policy.karmada.io", "propagationpolicies");
const CLUSTER_POLICIES = typeOf("policy.karmada.io", "clusterpropagationpolicies");
const BINDINGS = typeOf("work.karmada.io", "resourcebindings");
const WATCHED = new Set([DEPLOYMENTS, CLUSTERS, POLICIES, CLUSTER_POLICIES, typeOf("", "namespaces")]);

type Container = { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } };

export type PodResources = { request: ResourceAmounts; cpuLimit: number };

function quantityOf(list: Record<string, string> | undefined, key: string): number | undefined {
  const value = list?.[key];
  return value === undefined ? undefined : tryParseQuantity(value);
}

/** Per-replica resources of a Deployment: requests, falling back to limits, then a small default. */
export function podResourcesOf(deployment: KubeObject): PodResources {
  const spec = deployment.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  const containers = spec?.template?.spec?.containers ?? [];
  const request: ResourceAmounts = { cpu: 0, memory: 0, gpus: 0, pods: 1 };
  let cpuLimit = 0;
  for (const container of containers) {
    const requests = container.resources?.requests;
    const limits = container.resources?.limits;
    const cpu = quantityOf(requests, "cpu") ?? quantityOf(limits, "cpu") ?? DEFAULT_CONTAINER_REQUEST.cpu;
    request.cpu += cpu;
    request.memory += quantityOf(requests, "memory") ?? quantityOf(limits, "memory") ?? DEFAULT_CONTAINER_REQUEST.memory;
    request.gpus += quantityOf(limits, GPU_RESOURCE) ?? quantityOf(requests, GPU_RESOURCE) ?? 0;
    cpuLimit += quantityOf(limits, "cpu") ?? cpu;
  }
  return { request, cpuLimit };
}

type ResourceSelector = { apiVersion?: string; kind?: string; namespace?: string; name?: string; labelSelector?: LabelSelectorObject };

/** How specifically a policy selects a Deployment: 0 = not at all, 1 = everything of the kind, 2 = by labels, 3 = by name. */
function selectorStrength(policy: KubeObject, deployment: KubeObject): number {
  const selectors = ((policy.spec as { resourceSelectors?: ResourceSelector[] } | undefined)?.resourceSelectors ?? []) as ResourceSelector[];
  let best = 0;
  for (const selector of selectors) {
    if (selector.apiVersion !== "apps/v1" || selector.kind !== "Deployment") continue;
    if (selector.namespace && selector.namespace !== deployment.metadata.namespace) continue;
    if (selector.name) {
      if (selector.name === deployment.metadata.name) best = Math.max(best, 3);
    } else if (selector.labelSelector) {
      if (matchesLabelSelector(deployment.metadata.labels, selector.labelSelector)) best = Math.max(best, 2);
    } else {
      best = Math.max(best, 1);
    }
  }
  return best;
}

function priorityOf(policy: KubeObject): number {
  const priority = (policy.spec as { priority?: number } | undefined)?.priority;
  return typeof priority === "number" ? priority : 0;
}

/** The policy that claims a Deployment: the current claimant while it still matches, else the best PropagationPolicy, else the best ClusterPropagationPolicy. */
function choosePolicy(deployment: KubeObject, policies: KubeObject[], clusterPolicies: KubeObject[]): KubeObject | undefined {
  const annotations = deployment.metadata.annotations ?? {};
  const namespaced = policies.filter((policy) => policy.metadata.namespace === deployment.metadata.namespace && selectorStrength(policy, deployment) > 0);
  const current = namespaced.find((policy) => policy.metadata.name === annotations[POLICY_NAME_ANNOTATION]);
  if (current) return current;
  const rank = (candidates: KubeObject[]) =>
    [...candidates].sort(
      (a, b) =>
        priorityOf(b) - priorityOf(a) ||
        selectorStrength(b, deployment) - selectorStrength(a, deployment) ||
        (a.metadata.name! < b.metadata.name! ? -1 : 1),
    )[0];
  if (namespaced.length > 0) return rank(namespaced);
  const cluster = clusterPolicies.filter((policy) => selectorStrength(policy, deployment) > 0);
  const currentCluster = cluster.find((policy) => policy.metadata.name === annotations[CLUSTER_POLICY_NAME_ANNOTATION]);
  return currentCluster ?? rank(cluster);
}

function byCreation(a: KubeObject, b: KubeObject): number {
  const left = `${a.metadata.creationTimestamp ?? ""} ${a.metadata.namespace ?? ""}/${a.metadata.name}`;
  const right = `${b.metadata.creationTimestamp ?? ""} ${b.metadata.namespace ?? ""}/${b.metadata.name}`;
  return left < right ? -1 : left > right ? 1 : 0;
}

function bindingNameOf(deployment: KubeObject): string {
  return `${deployment.metadata.name}-deployment`;
}

type Condition = { type: string; status: string; reason: string; message: string; lastTransitionTime?: string; lastUpdateTime?: string };

/** Keeps a condition's transition time while its status holds, as controllers do. */
function carryCondition(previous: Condition[] | undefined, next: Condition, now: string, withUpdateTime: boolean): Condition {
  const before = previous?.find((condition) => condition.type === next.type);
  const unchanged = before && before.status === next.status;
  const sameContent = unchanged && before.reason === next.reason && before.message === next.message;
  const result: Condition = { ...next };
  if (withUpdateTime) result.lastUpdateTime = sameContent ? (before.lastUpdateTime ?? now) : now;
  result.lastTransitionTime = unchanged ? (before.lastTransitionTime ?? now) : now;
  return result;
}

function sameIgnoringVersion(a: KubeObject | undefined, b: KubeObject): boolean {
  if (!a) return false;
  const strip = (object: KubeObject) => JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}

type Plan = {
  deployment: KubeObject;
  policy?: KubeObject;
  binding?: KubeObject;
  resources: PodResources;
  placement?: Placement;
  result?: ScheduleResult;
  /** Where the replicas run: the new assignment, or the previous one when rescheduling failed (as Karmada keeps it). */
  targets: TargetCluster[];
};

export type KarmadaControllerOptions = { store: ObjectStore; members: Map<string, Member>; delayMs: number };

export class KarmadaController {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly store: ObjectStore;
  private readonly members: Map<string, Member>;

  constructor(private readonly options: KarmadaControllerOptions) {
    this.store = options.store;
    this.members = options.members;
  }

  start(): void {
    this.unsubscribe = this.store.subscribe((event) => {
      if (event.origin === "api" && WATCHED.has(event.resource)) this.requestReconcile();
    });
    this.requestReconcile();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Runs a reconcile `delayMs` from the first request (later requests join it). */
  requestReconcile(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.reconcile();
    }, this.options.delayMs);
  }

  /** One pass of every controller; writes only what changed. */
  reconcile(): void {
    const now = nowTimestamp();
    const clusters = this.store.list(CLUSTERS);
    for (const cluster of clusters) if (!this.members.has(cluster.metadata.name!)) this.members.set(cluster.metadata.name!, memberFromCluster(cluster));
    for (const name of [...this.members.keys()]) if (!clusters.some((cluster) => cluster.metadata.name === name)) this.members.delete(name);

    const policies = this.store.list(POLICIES);
    const clusterPolicies = this.store.list(CLUSTER_POLICIES);
    const bindings = new Map(this.store.list(BINDINGS).map((binding) => [`${binding.metadata.namespace}/${binding.metadata.name}`, binding]));
    const deployments = this.store.list(DEPLOYMENTS).sort(byCreation);

    const usage = new Map<string, ResourceAmounts>();
    for (const member of this.members.values()) usage.set(member.name, systemUsageOf(member));
    const addUsage = (targets: TargetCluster[], request: ResourceAmounts) => {
      for (const target of targets) usage.set(target.name, addAmounts(usage.get(target.name) ?? ZERO_AMOUNTS, request, target.replicas));
    };

    // Bindings whose inputs did not change keep their placement (Karmada does not reschedule them).
    const plans: Plan[] = deployments.map((deployment) => {
      const policy = choosePolicy(deployment, policies, clusterPolicies);
      const binding = bindings.get(`${deployment.metadata.namespace}/${bindingNameOf(deployment)}`);
      const resources = podResourcesOf(deployment);
      if (!policy) return { deployment, binding, resources, targets: [] };
      const placement = ((policy.spec as { placement?: Placement } | undefined)?.placement ?? {}) as Placement;
      const plan: Plan = { deployment, policy, binding, resources, placement, targets: [] };
      const previous = binding?.spec as { replicas?: number; placement?: Placement; clusters?: TargetCluster[]; replicaRequirements?: unknown } | undefined;
      const replicas = (deployment.spec as { replicas?: number }).replicas ?? 0;
      const wasScheduled = (binding?.status as { conditions?: Condition[] } | undefined)?.conditions?.some(
        (condition) => condition.type === "Scheduled" && condition.status === "True",
      );
      const unchanged =
        previous &&
        wasScheduled &&
        previous.replicas === replicas &&
        JSON.stringify(previous.placement) === JSON.stringify(placement) &&
        JSON.stringify(previous.replicaRequirements) === JSON.stringify(this.requirementsOf(resources)) &&
        (previous.clusters ?? []).every((target) => this.members.has(target.name));
      if (unchanged) {
        plan.result = { ok: true, clusters: previous.clusters ?? [] };
        plan.targets = previous.clusters ?? [];
        addUsage(plan.targets, resources.request);
      }
      return plan;
    });
    for (const plan of plans) {
      if (!plan.policy || plan.result) continue;
      const previousTargets = ((plan.binding?.spec as { clusters?: TargetCluster[] } | undefined)?.clusters ?? []).map((target) => target.name);
      plan.result = scheduleBinding(
        {
          placement: plan.placement!,
          replicas: (plan.deployment.spec as { replicas?: number }).replicas ?? 0,
          request: plan.resources.request,
          scheduledClusters: previousTargets,
        },
        clusters,
        this.members,
        usage,
      );
      const kept = ((plan.binding?.spec as { clusters?: TargetCluster[] } | undefined)?.clusters ?? []).filter((target) => this.members.has(target.name));
      plan.targets = plan.result.ok ? plan.result.clusters : kept;
      addUsage(plan.targets, plan.resources.request);
    }

    // The members' kube-schedulers: pods run while they fit, in creation order; the rest stay Pending.
    const allocated = new Map<string, ResourceAmounts>();
    const allocating = new Map<string, ResourceAmounts>();
    const running = new Map<Plan, Map<string, number>>();
    for (const member of this.members.values()) {
      allocated.set(member.name, systemUsageOf(member));
      allocating.set(member.name, { ...ZERO_AMOUNTS });
    }
    for (const plan of plans) {
      const perCluster = new Map<string, number>();
      running.set(plan, perCluster);
      for (const target of plan.targets) {
        const member = this.members.get(target.name);
        if (!member) continue;
        const used = allocated.get(member.name)!;
        const fits = (amount: number, capacity: number, inUse: number) => (amount > 0 ? Math.floor((capacity - inUse) / amount + 1e-9) : Infinity);
        const request = plan.resources.request;
        const room = Math.max(
          0,
          Math.min(
            fits(request.cpu, member.capacity.cpu, used.cpu),
            fits(request.memory, member.capacity.memory, used.memory),
            fits(request.gpus, member.capacity.gpus, used.gpus),
            fits(1, member.capacity.pods, used.pods),
          ),
        );
        const started = Math.min(target.replicas, room);
        allocated.set(member.name, addAmounts(used, request, started));
        allocating.set(member.name, addAmounts(allocating.get(member.name)!, request, target.replicas - started));
        perCluster.set(member.name, member.ready ? started : 0);
      }
    }

    this.writeClusters(clusters, allocated, allocating);
    const keptBindings = new Set<string>();
    for (const plan of plans) {
      if (plan.policy && plan.result) {
        keptBindings.add(`${plan.deployment.metadata.namespace}/${bindingNameOf(plan.deployment)}`);
        this.writeBinding(plan, running.get(plan)!, now);
      }
      this.writeDeployment(plan, running.get(plan)!, now);
    }
    // Bindings of Deployments that are gone or no longer claimed by a policy (others are not ours to remove).
    for (const [key, binding] of bindings) {
      const resource = (binding.spec as { resource?: { kind?: string } } | undefined)?.resource;
      if (!keptBindings.has(key) && resource?.kind === "Deployment") this.store.remove(BINDINGS, binding.metadata.namespace, binding.metadata.name!, "controller");
    }
  }

  private requirementsOf(resources: PodResources): Record<string, unknown> {
    return { resourceRequest: formatResourceList({ ...resources.request, pods: 0 }) };
  }

  /** Stores an object when it differs from the stored one (new objects get identity; spec changes bump generation). */
  private upsert(type: ResourceType, existing: KubeObject | undefined, next: KubeObject, now: string): void {
    if (existing) {
      if (sameIgnoringVersion(existing, next)) return;
      const specOf = (object: KubeObject) => JSON.stringify(object.spec ?? null);
      if (type.hasGeneration && specOf(existing) !== specOf(next)) next.metadata.generation = (existing.metadata.generation ?? 1) + 1;
    } else {
      next.metadata.uid = randomUUID();
      next.metadata.creationTimestamp = now;
      if (type.hasGeneration) next.metadata.generation = 1;
    }
    this.store.put(type, next, "controller");
  }

  private writeClusters(clusters: KubeObject[], allocated: Map<string, ResourceAmounts>, allocating: Map<string, ResourceAmounts>): void {
    for (const cluster of clusters) {
      const member = this.members.get(cluster.metadata.name!);
      // An unreachable member cannot be observed: its resourceSummary stays as last collected.
      if (!member || !member.ready || !isClusterReady(cluster)) continue;
      const next = withResourceSummary(cluster, member, allocated.get(member.name)!, allocating.get(member.name)!);
      if (!sameIgnoringVersion(cluster, next)) this.store.put(CLUSTERS, next, "controller");
    }
  }

  private policyMarks(policy: KubeObject): { labels: Record<string, string>; annotations: Record<string, string> } {
    const isClusterPolicy = !policy.metadata.namespace;
    const labelKey = isClusterPolicy ? CLUSTER_PERMANENT_ID_LABEL : PERMANENT_ID_LABEL;
    const labels: Record<string, string> = { [labelKey]: policy.metadata.labels?.[labelKey] ?? policy.metadata.uid ?? "" };
    const annotations: Record<string, string> = isClusterPolicy
      ? { [CLUSTER_POLICY_NAME_ANNOTATION]: policy.metadata.name! }
      : { [POLICY_NAME_ANNOTATION]: policy.metadata.name!, [POLICY_NAMESPACE_ANNOTATION]: policy.metadata.namespace! };
    return { labels, annotations };
  }

  private writeBinding(plan: Plan, running: Map<string, number>, now: string): void {
    const { deployment, policy, result } = plan;
    const marks = this.policyMarks(policy!);
    const previous = plan.binding;
    const targets = plan.targets;
    const spec: Record<string, unknown> = {
      resource: {
        apiVersion: "apps/v1",
        kind: "Deployment",
        namespace: deployment.metadata.namespace,
        name: deployment.metadata.name,
        uid: deployment.metadata.uid,
      },
      replicaRequirements: this.requirementsOf(plan.resources),
      replicas: (deployment.spec as { replicas?: number }).replicas ?? 0,
      placement: plan.placement,
      conflictResolution: (policy!.spec as { conflictResolution?: string }).conflictResolution ?? "Abort",
      schedulerName: "default-scheduler",
    };
    if (targets.length > 0) spec.clusters = targets;
    const previousStatus = (previous?.status ?? {}) as { conditions?: Condition[]; lastScheduledTime?: string };
    const scheduled: Condition = result!.ok
      ? { type: "Scheduled", status: "True", reason: "Success", message: "Binding has been scheduled successfully." }
      : { type: "Scheduled", status: "False", reason: result!.reason, message: result!.message };
    const next: KubeObject = {
      apiVersion: "work.karmada.io/v1alpha2",
      kind: "ResourceBinding",
      metadata: {
        ...(previous?.metadata ?? {}),
        name: bindingNameOf(deployment),
        namespace: deployment.metadata.namespace,
        labels: { ...(previous?.metadata.labels ?? {}), ...marks.labels },
        annotations: { ...(previous?.metadata.annotations ?? {}), ...marks.annotations },
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name, uid: deployment.metadata.uid, controller: true, blockOwnerDeletion: true },
        ],
        finalizers: ["karmada.io/binding-controller"],
      },
      spec,
    };
    const scheduledChanged = !previous || JSON.stringify((previous.spec as Record<string, unknown>).clusters ?? []) !== JSON.stringify(targets);
    const generation = previous
      ? JSON.stringify(previous.spec) !== JSON.stringify(spec)
        ? (previous.metadata.generation ?? 1) + 1
        : (previous.metadata.generation ?? 1)
      : 1;
    const aggregatedStatus = targets.map((target) => {
      const member = this.members.get(target.name);
      const ready = running.get(target.name) ?? 0;
      return {
        clusterName: target.name,
        status: { replicas: target.replicas, readyReplicas: ready, availableReplicas: ready, updatedReplicas: target.replicas, observedGeneration: deployment.metadata.generation },
        applied: true,
        health: !member?.ready ? "Unknown" : ready >= target.replicas ? "Healthy" : "Unhealthy",
      };
    });
    const status: Record<string, unknown> = {
      schedulerObservedGeneration: generation,
      lastScheduledTime: scheduledChanged || !previousStatus.lastScheduledTime ? now : previousStatus.lastScheduledTime,
      conditions: [
        carryCondition(previousStatus.conditions, scheduled, now, false),
        carryCondition(
          previousStatus.conditions,
          targets.length > 0
            ? { type: "FullyApplied", status: "True", reason: "FullyAppliedSuccess", message: "All works have been successfully applied" }
            : { type: "FullyApplied", status: "False", reason: "FullyAppliedFailed", message: "No work has been applied" },
          now,
          false,
        ),
      ],
    };
    if (aggregatedStatus.length > 0) status.aggregatedStatus = aggregatedStatus;
    next.status = status;
    this.upsert(BINDINGS, previous, next, now);
  }

  private writeDeployment(plan: Plan, running: Map<string, number>, now: string): void {
    const { deployment, policy, result } = plan;
    const next = structuredClone(deployment);
    const labels = { ...(next.metadata.labels ?? {}) };
    const annotations = { ...(next.metadata.annotations ?? {}) };
    for (const key of [PERMANENT_ID_LABEL, CLUSTER_PERMANENT_ID_LABEL]) delete labels[key];
    for (const key of [POLICY_NAME_ANNOTATION, POLICY_NAMESPACE_ANNOTATION, CLUSTER_POLICY_NAME_ANNOTATION]) delete annotations[key];
    const spec = deployment.spec as { replicas?: number; strategy?: { rollingUpdate?: { maxUnavailable?: string | number } }; template?: unknown };
    const desired = spec.replicas ?? 0;
    if (!policy || !result) {
      next.metadata.labels = labels;
      next.metadata.annotations = annotations;
      if (Object.keys(labels).length === 0) delete next.metadata.labels;
      if (Object.keys(annotations).length === 0) delete next.metadata.annotations;
      next.status = {};
      if (!sameIgnoringVersion(deployment, next)) this.store.put(DEPLOYMENTS, next, "controller");
      return;
    }
    const marks = this.policyMarks(policy);
    next.metadata.labels = { ...labels, ...marks.labels };
    next.metadata.annotations = { "deployment.kubernetes.io/revision": "1", ...annotations, ...marks.annotations };
    const targets = plan.targets;
    const placed = targets.reduce((sum, target) => sum + target.replicas, 0);
    const available = [...running.values()].reduce((sum, count) => sum + count, 0);
    const previous = (deployment.status ?? {}) as { conditions?: Condition[] };
    const maxUnavailable = this.maxUnavailableOf(spec.strategy?.rollingUpdate?.maxUnavailable, desired);
    const isAvailable = available >= desired - maxUnavailable;
    const replicaSet = `${deployment.metadata.name}-${createHash("sha256").update(JSON.stringify(spec.template ?? {})).digest("hex").slice(0, 10)}`;
    const conditions: Condition[] = [
      carryCondition(
        previous.conditions,
        isAvailable
          ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
          : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." },
        now,
        true,
      ),
      carryCondition(
        previous.conditions,
        placed > 0 && available >= placed
          ? { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${replicaSet}" has successfully progressed.` }
          : { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${replicaSet}" is progressing.` },
        now,
        true,
      ),
    ];
    if (!result.ok) {
      conditions.push(carryCondition(previous.conditions, { type: "ReplicaFailure", status: "True", reason: result.reason, message: result.message }, now, true));
    }
    const status: Record<string, unknown> = {
      observedGeneration: deployment.metadata.generation,
      replicas: placed,
      updatedReplicas: placed,
      readyReplicas: available,
      availableReplicas: available,
    };
    if (placed - available > 0) status.unavailableReplicas = placed - available;
    // Zero counts are omitted in real status JSON (omitempty).
    for (const key of Object.keys(status)) if (status[key] === 0) delete status[key];
    status.conditions = conditions;
    next.status = status;
    if (!sameIgnoringVersion(deployment, next)) this.store.put(DEPLOYMENTS, next, "controller");
  }

  private maxUnavailableOf(value: string | number | undefined, desired: number): number {
    if (typeof value === "number") return value;
    const text = value ?? "25%";
    if (text.endsWith("%")) return Math.floor((desired * Number(text.slice(0, -1))) / 100);
    return Number(text) || 0;
  }
}
