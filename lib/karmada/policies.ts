/**
 * Which PropagationPolicy governs a Deployment, following Karmada's detector: the policy that
 * already claimed it (annotation) first; otherwise explicit priority, then the most specific
 * selector (by name > by labels > whole namespace), then the policy name.
 */

import type { PropagationPolicy } from "./schemas";
import type { DeploymentState, LabelSelector, PropagationPolicyState, ResourceSelector } from "./types";

export function toPropagationPolicyState(policy: PropagationPolicy, namespace: string): PropagationPolicyState {
  const placement = policy.spec.placement;
  const affinities = placement?.clusterAffinity ? [placement.clusterAffinity] : (placement?.clusterAffinities ?? []);
  const clusterNames = new Set<string>();
  for (const affinity of affinities) {
    const excluded = new Set(affinity.exclude ?? []);
    for (const name of affinity.clusterNames ?? []) if (!excluded.has(name)) clusterNames.add(name);
  }
  return {
    namespace: policy.metadata.namespace ?? namespace,
    name: policy.metadata.name,
    priority: policy.spec.priority ?? 0,
    resourceSelectors: policy.spec.resourceSelectors.map(({ apiVersion, kind, name, namespace: selectorNamespace, labelSelector }) => ({
      apiVersion,
      kind,
      ...(name === undefined ? {} : { name }),
      ...(selectorNamespace === undefined ? {} : { namespace: selectorNamespace }),
      ...(labelSelector === undefined ? {} : { labelSelector }),
    })),
    clusterNames: [...clusterNames],
    replicaSchedulingType: placement?.replicaScheduling?.replicaSchedulingType,
  };
}

/** Kubernetes label selector semantics (matchLabels AND matchExpressions; an empty selector matches everything). */
export function matchesLabelSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    switch (operator) {
      case "In":
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[key]!)) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** How specifically a selector picks the Deployment: 3 by name, 2 by labels, 1 every Deployment, 0 not at all. */
function selectorSpecificity(selector: ResourceSelector, namespace: string, name: string, labels: Record<string, string>): number {
  if (selector.apiVersion !== "apps/v1" || selector.kind !== "Deployment") return 0;
  if (selector.namespace !== undefined && selector.namespace !== namespace) return 0;
  if (selector.name !== undefined) return selector.name === name ? 3 : 0;
  if (selector.labelSelector !== undefined) return matchesLabelSelector(selector.labelSelector, labels) ? 2 : 0;
  return 1;
}

/** The policy that governs `namespace/name`, or undefined when none selects it. */
export function findGoverningPolicy(
  policies: PropagationPolicyState[],
  target: { namespace: string; name: string; deployment?: Pick<DeploymentState, "labels" | "propagationPolicy"> },
): PropagationPolicyState | undefined {
  const claimed = target.deployment?.propagationPolicy;
  if (claimed) {
    const claimant = policies.find((policy) => policy.name === claimed.name && policy.namespace === claimed.namespace);
    if (claimant) return claimant;
  }
  const labels = target.deployment?.labels ?? {};
  const candidates = policies
    .map((policy) => ({
      policy,
      specificity: Math.max(0, ...policy.resourceSelectors.map((selector) => selectorSpecificity(selector, target.namespace, target.name, labels))),
    }))
    .filter((candidate) => candidate.specificity > 0);
  candidates.sort(
    (a, b) => b.policy.priority - a.policy.priority || b.specificity - a.specificity || a.policy.name.localeCompare(b.policy.name),
  );
  return candidates[0]?.policy;
}
