/**
 * Shapes of the Karmada/Kubernetes objects SMO reads, checked with zod before use. Objects are
 * "loose": unknown keys are kept, so a read-modify-write (PrometheusRule) never drops fields
 * that another tool set.
 */

import { z } from "zod";
import { tryParseQuantity } from "../quantity";

/** A Kubernetes quantity as the API serializes it: a string ("250m", "16Gi"), or a plain number. */
export const QuantitySchema = z
  .union([z.string(), z.number()])
  .refine((value) => tryParseQuantity(value) !== undefined, { message: "is not a Kubernetes quantity" });

export const ResourceListSchema = z.record(z.string(), QuantitySchema);

const StringMapSchema = z.record(z.string(), z.string());
const CountSchema = z.number().int().min(0);

export const ConditionSchema = z.looseObject({
  type: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

export const TaintSchema = z.looseObject({
  key: z.string(),
  value: z.string().optional(),
  effect: z.string(),
});

/** `cluster.karmada.io/v1alpha1` Cluster (karmada pkg/apis/cluster/v1alpha1/types.go). */
export const KarmadaClusterSchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1), labels: StringMapSchema.optional() }),
  spec: z
    .looseObject({
      provider: z.string().optional(),
      region: z.string().optional(),
      zone: z.string().optional(),
      zones: z.array(z.string()).optional(),
      taints: z.array(TaintSchema).optional(),
    })
    .optional(),
  status: z
    .looseObject({
      kubernetesVersion: z.string().optional(),
      conditions: z.array(ConditionSchema).optional(),
      resourceSummary: z
        .looseObject({
          allocatable: ResourceListSchema.optional(),
          allocating: ResourceListSchema.optional(),
          allocated: ResourceListSchema.optional(),
        })
        .optional(),
    })
    .optional(),
});
export type KarmadaCluster = z.infer<typeof KarmadaClusterSchema>;

export const KarmadaClusterListSchema = z.looseObject({ items: z.array(KarmadaClusterSchema) });

const ContainerResourcesSchema = z
  .looseObject({ limits: ResourceListSchema.optional(), requests: ResourceListSchema.optional() })
  .optional();

/** The parts of an apps/v1 Deployment that SMO reads. */
export const DeploymentSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    labels: StringMapSchema.optional(),
    annotations: StringMapSchema.optional(),
  }),
  spec: z.looseObject({
    replicas: CountSchema.optional(),
    template: z.looseObject({
      spec: z
        .looseObject({
          containers: z.array(z.looseObject({ name: z.string(), resources: ContainerResourcesSchema })),
        })
        .optional(),
    }),
  }),
  status: z
    .looseObject({
      replicas: CountSchema.optional(),
      readyReplicas: CountSchema.optional(),
      availableReplicas: CountSchema.optional(),
      updatedReplicas: CountSchema.optional(),
    })
    .optional(),
});

export const ScaleSchema = z.looseObject({ spec: z.looseObject({ replicas: CountSchema.optional() }).optional() });

const LabelSelectorSchema = z.looseObject({
  matchLabels: StringMapSchema.optional(),
  matchExpressions: z
    .array(z.looseObject({ key: z.string(), operator: z.string(), values: z.array(z.string()).optional() }))
    .optional(),
});

const ClusterAffinitySchema = z.looseObject({
  clusterNames: z.array(z.string()).optional(),
  exclude: z.array(z.string()).optional(),
});

/** `policy.karmada.io/v1alpha1` PropagationPolicy (karmada pkg/apis/policy/v1alpha1/propagation_types.go). */
export const PropagationPolicySchema = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
  spec: z.looseObject({
    priority: z.number().int().optional(),
    resourceSelectors: z.array(
      z.looseObject({
        apiVersion: z.string(),
        kind: z.string(),
        name: z.string().optional(),
        namespace: z.string().optional(),
        labelSelector: LabelSelectorSchema.optional(),
      }),
    ),
    placement: z
      .looseObject({
        clusterAffinity: ClusterAffinitySchema.optional(),
        clusterAffinities: z.array(ClusterAffinitySchema).optional(),
        replicaScheduling: z.looseObject({ replicaSchedulingType: z.string().optional() }).optional(),
      })
      .optional(),
  }),
});
export type PropagationPolicy = z.infer<typeof PropagationPolicySchema>;

export const PropagationPolicyListSchema = z.looseObject({ items: z.array(PropagationPolicySchema) });

/** `work.karmada.io/v1alpha2` ResourceBinding: the scheduler's result for one resource. */
export const ResourceBindingSchema = z.looseObject({
  spec: z.looseObject({
    clusters: z.array(z.looseObject({ name: z.string().min(1), replicas: CountSchema.optional() })).optional(),
  }),
});

/** Prometheus durations as prometheus-operator's CRD accepts them ("30s", "1h30m", "0"). */
export const PROMETHEUS_DURATION_PATTERN = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;

export const PrometheusRuleEntrySchema = z.looseObject({
  alert: z.string().min(1).optional(),
  record: z.string().min(1).optional(),
  expr: z.union([z.string().min(1), z.number()]),
  for: z.string().optional(),
  keep_firing_for: z.string().optional(),
  labels: StringMapSchema.optional(),
  annotations: StringMapSchema.optional(),
});
export type PrometheusRuleEntry = z.infer<typeof PrometheusRuleEntrySchema>;

export const PrometheusRuleGroupSchema = z.looseObject({
  name: z.string().min(1),
  interval: z.string().optional(),
  rules: z.array(PrometheusRuleEntrySchema).optional(),
});
export type PrometheusRuleGroup = z.infer<typeof PrometheusRuleGroupSchema>;

/** `monitoring.coreos.com/v1` PrometheusRule as read from the server. */
export const PrometheusRuleSchema = z.looseObject({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({
    name: z.string().min(1),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    labels: StringMapSchema.optional(),
    annotations: StringMapSchema.optional(),
  }),
  spec: z.looseObject({ groups: z.array(PrometheusRuleGroupSchema).optional() }),
});
export type PrometheusRule = z.infer<typeof PrometheusRuleSchema>;

/** What SMO is willing to write: the read shape plus the checks prometheus-operator's admission would make. */
export const WritablePrometheusRuleSchema = PrometheusRuleSchema.superRefine((rule, context) => {
  const seen = new Set<string>();
  (rule.spec.groups ?? []).forEach((group, groupIndex) => {
    if (seen.has(group.name)) {
      context.addIssue({ code: "custom", path: ["spec", "groups", groupIndex, "name"], message: `group name "${group.name}" is used twice` });
    }
    seen.add(group.name);
    (group.rules ?? []).forEach((entry, ruleIndex) => {
      const path = ["spec", "groups", groupIndex, "rules", ruleIndex];
      if ((entry.alert === undefined) === (entry.record === undefined)) {
        context.addIssue({ code: "custom", path, message: "a rule needs exactly one of alert or record" });
      }
      for (const key of ["for", "keep_firing_for"] as const) {
        const duration = entry[key];
        if (duration !== undefined && !PROMETHEUS_DURATION_PATTERN.test(duration)) {
          context.addIssue({ code: "custom", path: [...path, key], message: `"${duration}" is not a Prometheus duration` });
        }
      }
    });
  });
});

/** Formats zod issues as `path: message` with Kubernetes-style paths (`items[2].status.conditions[0].type`). */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root: string, limit = 3): { path: string; message: string }[] {
  return issues.slice(0, limit).map((issue) => ({ path: formatPath(root, issue.path), message: issue.message }));
}

export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let text = root;
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text ? `.${String(key)}` : String(key);
  }
  return text;
}
