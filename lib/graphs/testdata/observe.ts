/**
 * Independent reads of the sandbox federation for the lifecycle tests: PropagationPolicies and
 * PrometheusRules straight through client-node (not through lib/karmada), and polling helpers.
 */
import { CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";

export type PolicyView = { name: string; clusterNames: string[]; selects: string[] };

function customObjects(kubeconfigPath: string): CustomObjectsApi {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return config.makeApiClient(CustomObjectsApi);
}

/** The namespace's PropagationPolicies: the clusters each allows and the objects it selects. */
export async function readPropagationPolicies(kubeconfigPath: string, namespace: string): Promise<PolicyView[]> {
  const list = (await customObjects(kubeconfigPath).listNamespacedCustomObject({
    group: "policy.karmada.io",
    version: "v1alpha1",
    namespace,
    plural: "propagationpolicies",
  })) as { items: { metadata: { name: string }; spec: { placement?: { clusterAffinity?: { clusterNames?: string[] } }; resourceSelectors?: { kind: string; name?: string }[] } }[] };
  return list.items.map((item) => ({
    name: item.metadata.name,
    clusterNames: [...(item.spec.placement?.clusterAffinity?.clusterNames ?? [])].sort(),
    selects: (item.spec.resourceSelectors ?? []).map((selector) => `${selector.kind}/${selector.name ?? "*"}`),
  }));
}

export type RuleView = { alert: string; expr: string; for?: string; labels: Record<string, string>; annotations: Record<string, string> };

/** The alert rules of the SMO group in the kube-prometheus-stack PrometheusRule. */
export async function readSmoAlertRules(kubeconfigPath: string): Promise<RuleView[]> {
  try {
    const rule = (await customObjects(kubeconfigPath).getNamespacedCustomObject({
      group: "monitoring.coreos.com",
      version: "v1",
      namespace: "monitoring",
      plural: "prometheusrules",
      name: "kube-prometheus-stack-0",
    })) as { spec: { groups?: { name: string; rules?: RuleView[] }[] } };
    return rule.spec.groups?.find((group) => group.name === "smo-alerts")?.rules ?? [];
  } catch (error) {
    if ((error as { code?: number }).code === 404) return [];
    throw error;
  }
}

export async function waitFor<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

export function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}
