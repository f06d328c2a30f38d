/**
 * Per-type defaulting and validation, as the API server's registry strategies and the Karmada
 * webhook apply them on writes. Only what clients can observe is reproduced: defaulted fields
 * they read back, and the 422 errors they may provoke.
 */
import { randomUUID } from "node:crypto";
import { isJsonObject, type JsonObject, type JsonValue } from "./patch";
import type { KubeObject, ResourceType } from "./resources";
import { formatLabelSelector, matchesLabelSelector, type LabelSelectorObject } from "./selectors";
import { invalidKind, type InvalidCause } from "./status";

/** Label the Karmada webhook puts on policies (and the controller on the resources they claim). */
export const PERMANENT_ID_LABEL = "propagationpolicy.karmada.io/permanent-id";
export const CLUSTER_PERMANENT_ID_LABEL = "clusterpropagationpolicy.karmada.io/permanent-id";

function objectAt(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  if (isJsonObject(value)) return value;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

function setDefault(parent: JsonObject, key: string, value: JsonValue): void {
  if (parent[key] === undefined || parent[key] === null) parent[key] = value;
}

/** A stable ClusterIP in 10.96.0.0/16 derived from the Service's namespace and name. */
function clusterAddressFor(namespace: string, name: string): string {
  let hash = 2166136261;
  for (const char of `${namespace}/${name}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return `10.96.${(hash >>> 8) % 256}.${(hash % 254) + 1}`;
}

function defaultPodSpec(podSpec: JsonObject): void {
  setDefault(podSpec, "restartPolicy", "Always");
  setDefault(podSpec, "terminationGracePeriodSeconds", 30);
  setDefault(podSpec, "dnsPolicy", "ClusterFirst");
  setDefault(podSpec, "securityContext", {});
  setDefault(podSpec, "schedulerName", "default-scheduler");
  for (const field of ["containers", "initContainers"]) {
    const containers = podSpec[field];
    if (!Array.isArray(containers)) continue;
    for (const container of containers) {
      if (!isJsonObject(container)) continue;
      setDefault(container, "terminationMessagePath", "/dev/termination-log");
      setDefault(container, "terminationMessagePolicy", "File");
      const image = typeof container.image === "string" ? container.image : "";
      const tag = image.includes("@") ? "digest" : (image.split("/").pop() ?? "").split(":")[1];
      setDefault(container, "imagePullPolicy", tag === undefined || tag === "latest" ? "Always" : "IfNotPresent");
      setDefault(container, "resources", {});
      if (Array.isArray(container.ports)) {
        for (const port of container.ports) if (isJsonObject(port)) setDefault(port, "protocol", "TCP");
      }
    }
  }
}

function defaultDeployment(object: JsonObject): void {
  const spec = objectAt(object, "spec");
  setDefault(spec, "replicas", 1);
  setDefault(spec, "strategy", { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } });
  setDefault(spec, "revisionHistoryLimit", 10);
  setDefault(spec, "progressDeadlineSeconds", 600);
  const template = objectAt(spec, "template");
  const templateMetadata = objectAt(template, "metadata");
  setDefault(templateMetadata, "creationTimestamp", null);
  defaultPodSpec(objectAt(template, "spec"));
  setDefault(object, "status", {});
}

function defaultService(object: JsonObject): void {
  const spec = objectAt(object, "spec");
  setDefault(spec, "type", "ClusterIP");
  setDefault(spec, "sessionAffinity", "None");
  if (spec.type !== "ExternalName") {
    if (spec.clusterIP === undefined || spec.clusterIP === "") {
      const metadata = objectAt(object, "metadata");
      spec.clusterIP = clusterAddressFor(String(metadata.namespace ?? ""), String(metadata.name ?? ""));
    }
    setDefault(spec, "clusterIPs", [spec.clusterIP as string]);
    setDefault(spec, "ipFamilies", ["IPv4"]);
    setDefault(spec, "ipFamilyPolicy", "SingleStack");
    setDefault(spec, "internalTrafficPolicy", "Cluster");
  }
  if (Array.isArray(spec.ports)) {
    for (const port of spec.ports) {
      if (!isJsonObject(port)) continue;
      setDefault(port, "protocol", "TCP");
      setDefault(port, "targetPort", port.port ?? null);
    }
  }
  setDefault(object, "status", { loadBalancer: {} });
}

function defaultSecret(object: JsonObject): void {
  setDefault(object, "type", "Opaque");
  const stringData = object.stringData;
  if (isJsonObject(stringData)) {
    const data = objectAt(object, "data");
    for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value), "utf8").toString("base64");
    delete object.stringData;
  }
}

function defaultNamespace(object: JsonObject): void {
  const metadata = objectAt(object, "metadata");
  const labels = objectAt(metadata, "labels");
  labels["kubernetes.io/metadata.name"] = metadata.name as string;
  setDefault(objectAt(object, "spec"), "finalizers", ["kubernetes"]);
  setDefault(object, "status", { phase: "Active" });
}

function defaultPolicy(object: JsonObject, label: string): void {
  const labels = objectAt(objectAt(object, "metadata"), "labels");
  setDefault(labels, label, randomUUID());
  const spec = objectAt(object, "spec");
  setDefault(spec, "conflictResolution", "Abort");
  setDefault(spec, "preemption", "Never");
  setDefault(spec, "priority", 0);
  const placement = objectAt(spec, "placement");
  // Karmada's webhook adds these tolerations so that workloads survive short outages.
  setDefault(placement, "clusterTolerations", [
    { key: "cluster.karmada.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    { key: "cluster.karmada.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  ]);
}

/** Fills server-side defaults into a new or updated object (mutates it). */
export function applyDefaults(type: ResourceType, object: KubeObject): void {
  const json = object as unknown as JsonObject;
  switch (`${type.group}/${type.plural}`) {
    case "apps/deployments":
      return defaultDeployment(json);
    case "/services":
      return defaultService(json);
    case "/secrets":
      return defaultSecret(json);
    case "/namespaces":
      return defaultNamespace(json);
    case "policy.karmada.io/propagationpolicies":
      return defaultPolicy(json, PERMANENT_ID_LABEL);
    case "policy.karmada.io/clusterpropagationpolicies":
      return defaultPolicy(json, CLUSTER_PERMANENT_ID_LABEL);
  }
}

function goMap(value: unknown): string {
  if (!isJsonObject(value)) return "map[string]string(nil)";
  return `map[string]string{${Object.entries(value)
    .map(([key, item]) => `"${key}":"${String(item)}"`)
    .join(", ")}}`;
}

function validateDeployment(object: JsonObject, previous: JsonObject | undefined): InvalidCause[] {
  const causes: InvalidCause[] = [];
  const spec = isJsonObject(object.spec) ? object.spec : {};
  const replicas = spec.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas)) {
    causes.push({ field: "spec.replicas", message: `Invalid value: ${JSON.stringify(replicas)}: must be an integer` });
  } else if (replicas < 0) {
    causes.push({ field: "spec.replicas", message: `Invalid value: ${replicas}: must be greater than or equal to 0` });
  }
  const selector = spec.selector;
  const template = isJsonObject(spec.template) ? spec.template : {};
  const templateLabels = isJsonObject(template.metadata) ? template.metadata.labels : undefined;
  if (!isJsonObject(selector)) {
    causes.push({ field: "spec.selector", reason: "FieldValueRequired", message: "Required value" });
  } else {
    const selectorObject = selector as LabelSelectorObject;
    if (Object.keys(selectorObject.matchLabels ?? {}).length === 0 && (selectorObject.matchExpressions ?? []).length === 0) {
      causes.push({ field: "spec.selector", message: `Invalid value: v1.LabelSelector{}: empty selector is invalid for deployment` });
    } else if (!matchesLabelSelector(isJsonObject(templateLabels) ? (templateLabels as Record<string, string>) : {}, selectorObject)) {
      causes.push({
        field: "spec.template.metadata.labels",
        message: `Invalid value: ${goMap(templateLabels)}: \`selector\` does not match template \`labels\``,
      });
    }
    const previousSpec = previous && isJsonObject(previous.spec) ? previous.spec : undefined;
    if (previousSpec && isJsonObject(previousSpec.selector)) {
      const before = formatLabelSelector(previousSpec.selector as LabelSelectorObject);
      const after = formatLabelSelector(selectorObject);
      if (before !== after) causes.push({ field: "spec.selector", message: `Invalid value: "${after}": field is immutable` });
    }
  }
  const podSpec = isJsonObject(template.spec) ? template.spec : {};
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ field: "spec.template.spec.containers", reason: "FieldValueRequired", message: "Required value" });
  } else {
    containers.forEach((container, index) => {
      const entry = isJsonObject(container) ? container : {};
      if (typeof entry.name !== "string" || entry.name === "") {
        causes.push({ field: `spec.template.spec.containers[${index}].name`, reason: "FieldValueRequired", message: "Required value" });
      }
      if (typeof entry.image !== "string" || entry.image === "") {
        causes.push({ field: `spec.template.spec.containers[${index}].image`, reason: "FieldValueRequired", message: "Required value" });
      }
    });
  }
  return causes;
}

function validatePolicy(object: JsonObject): InvalidCause[] {
  const spec = isJsonObject(object.spec) ? object.spec : undefined;
  if (!spec) return [{ field: "spec", reason: "FieldValueRequired", message: "Required value" }];
  const selectors = spec.resourceSelectors;
  if (!Array.isArray(selectors)) return [{ field: "spec.resourceSelectors", reason: "FieldValueRequired", message: "Required value" }];
  const causes: InvalidCause[] = [];
  selectors.forEach((selector, index) => {
    const entry = isJsonObject(selector) ? selector : {};
    for (const field of ["apiVersion", "kind"]) {
      if (typeof entry[field] !== "string" || entry[field] === "") {
        causes.push({ field: `spec.resourceSelectors[${index}].${field}`, reason: "FieldValueRequired", message: "Required value" });
      }
    }
  });
  return causes;
}

function validatePrometheusRule(object: JsonObject): InvalidCause[] {
  const spec = isJsonObject(object.spec) ? object.spec : {};
  const groups = spec.groups;
  if (groups === undefined) return [];
  if (!Array.isArray(groups)) return [{ field: "spec.groups", message: `Invalid value: "${typeof groups}": spec.groups in body must be of type array` }];
  const causes: InvalidCause[] = [];
  const seen = new Set<string>();
  groups.forEach((group, index) => {
    const entry = isJsonObject(group) ? group : {};
    const name = entry.name;
    if (typeof name !== "string" || name === "") {
      causes.push({ field: `spec.groups[${index}].name`, reason: "FieldValueRequired", message: "Required value" });
    } else if (seen.has(name)) {
      causes.push({ field: `spec.groups[${index}]`, message: `Duplicate value: map[string]interface {}{"name":"${name}"}` });
    } else {
      seen.add(name);
    }
    const rules = entry.rules;
    if (Array.isArray(rules)) {
      rules.forEach((rule, ruleIndex) => {
        const ruleEntry = isJsonObject(rule) ? rule : {};
        if (ruleEntry.expr === undefined || ruleEntry.expr === "") {
          causes.push({ field: `spec.groups[${index}].rules[${ruleIndex}].expr`, reason: "FieldValueRequired", message: "Required value" });
        }
      });
    }
  });
  return causes;
}

/** Validates an object about to be stored; throws a 422 Status naming every invalid field. */
export function validateObject(type: ResourceType, object: KubeObject, previous: KubeObject | undefined): void {
  const json = object as unknown as JsonObject;
  const before = previous as unknown as JsonObject | undefined;
  let causes: InvalidCause[] = [];
  switch (`${type.group}/${type.plural}`) {
    case "apps/deployments":
      causes = validateDeployment(json, before);
      break;
    case "policy.karmada.io/propagationpolicies":
    case "policy.karmada.io/clusterpropagationpolicies":
      causes = validatePolicy(json);
      break;
    case "monitoring.coreos.com/prometheusrules":
      causes = validatePrometheusRule(json);
      break;
  }
  if (causes.length > 0) throw invalidKind(type, object.metadata.name ?? "", causes);
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Object names: DNS-1123 labels for namespaces and services, subdomains otherwise. */
export function validateName(type: ResourceType, name: string): void {
  const labelOnly = type.group === "" && (type.plural === "namespaces" || type.plural === "services");
  if (labelOnly ? name.length <= 63 && DNS_LABEL.test(name) : name.length <= 253 && DNS_SUBDOMAIN.test(name)) return;
  const message = labelOnly
    ? `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
    : `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  throw invalidKind(type, name, [{ field: "metadata.name", message }]);
}
