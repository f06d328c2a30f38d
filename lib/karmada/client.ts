/**
 * The Karmada client: the few calls SMO makes to the Karmada API server, through
 * @kubernetes/client-node 1.3 (object-parameter API, bodies not `{response, body}`).
 * Every name is validated before a request is built; every response is validated before use.
 */

import { isDeepStrictEqual } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { AppsV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import type { z } from "zod";
import { ConflictError, NotFoundError, UpstreamError, ValidationError } from "../errors";
import { createSilentLogger, type Logger } from "../logger";
import { assertValidName } from "../names";
import { toClusterState } from "./clusters";
import { toDeploymentState } from "./deployments";
import { toKarmadaError } from "./errors";
import { findGoverningPolicy, toPropagationPolicyState } from "./policies";
import {
  DeploymentSchema,
  formatIssues,
  KarmadaClusterListSchema,
  PrometheusRuleSchema,
  PropagationPolicyListSchema,
  ResourceBindingSchema,
  ScaleSchema,
  WritablePrometheusRuleSchema,
  type PrometheusRule,
} from "./schemas";
import type {
  ClusterState,
  DeploymentState,
  KarmadaClient,
  PingResult,
  PrometheusRuleMutation,
  PrometheusRuleUpdate,
  PropagationPolicyState,
} from "./types";

export type KarmadaClientOptions = {
  /** Path of the Karmada API server kubeconfig (KARMADA_KUBECONFIG). */
  kubeconfigPath?: string;
  /** The kubeconfig as YAML text; wins over kubeconfigPath. */
  kubeconfig?: string;
  logger?: Logger;
  /** Per-request deadline; the API server answering later counts as a failure. Default 15 s. */
  requestTimeoutMs?: number;
  /** Attempts of a PrometheusRule read-modify-write before giving up on 409 Conflicts. Default 5. */
  maxUpdateAttempts?: number;
  /** First retry delay after a Conflict (doubled each time, ±50 % jitter). Default 20 ms. */
  conflictBackoffMs?: number;
};

/** Kubernetes object names are DNS-1123 labels here: at most 63 characters. */
const OBJECT_NAME_MAX = 63;
const MAX_REPLICAS = 2 ** 31 - 1;

const CLUSTERS = { group: "cluster.karmada.io", version: "v1alpha1", plural: "clusters" } as const;
const PROMETHEUS_RULES = { group: "monitoring.coreos.com", version: "v1", plural: "prometheusrules" } as const;
const PROPAGATION_POLICIES = { group: "policy.karmada.io", version: "v1alpha1", plural: "propagationpolicies" } as const;
const RESOURCE_BINDINGS = { group: "work.karmada.io", version: "v1alpha2", plural: "resourcebindings" } as const;

export function createKarmadaClient(options: KarmadaClientOptions): KarmadaClient {
  const kubeConfig = loadKubeConfig(options);
  const server = kubeConfig.getCurrentCluster()!.server.replace(/\/+$/, "");
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
  const logger = options.logger ?? createSilentLogger();
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const maxAttempts = Math.max(1, options.maxUpdateAttempts ?? 5);
  const backoffMs = options.conflictBackoffMs ?? 20;

  /** Runs one API request with a deadline, mapping whatever it throws to lib/errors. */
  async function request<T>(action: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new UpstreamError("karmada", `${action}: the API server at ${server} did not answer within ${timeoutMs} ms`, { reason: "Timeout" })),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (error) {
      throw toKarmadaError(error, action, server);
    } finally {
      clearTimeout(timer);
    }
  }

  function parseResponse<S extends z.ZodType>(schema: S, body: unknown, action: string, root: string): z.infer<S> {
    const result = schema.safeParse(body);
    if (result.success) return result.data;
    const details = formatIssues(result.error.issues, root)
      .map((issue) => `${issue.path}: ${issue.message}`)
      .join("; ");
    throw new UpstreamError("karmada", `${action}: malformed response from ${server}: ${details}`, { reason: "MalformedResponse" });
  }

  async function listClusters(): Promise<ClusterState[]> {
    const action = "list clusters";
    const body: unknown = await request(action, () => customObjects.listClusterCustomObject({ ...CLUSTERS }));
    const list = parseResponse(KarmadaClusterListSchema, body, action, "");
    return list.items.map(toClusterState);
  }

  async function getDeployment(namespace: string, name: string): Promise<DeploymentState | undefined> {
    assertValidName(namespace, "namespace", OBJECT_NAME_MAX);
    assertValidName(name, "deployment name", OBJECT_NAME_MAX);
    const action = `get deployment ${namespace}/${name}`;
    try {
      const body: unknown = await request(action, () => apps.readNamespacedDeployment({ namespace, name }));
      return toDeploymentState(parseResponse(DeploymentSchema, body, action, "deployment"), namespace);
    } catch (error) {
      if (isUpstreamStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async function scaleDeployment(namespace: string, name: string, replicas: number): Promise<number> {
    assertValidName(namespace, "namespace", OBJECT_NAME_MAX);
    assertValidName(name, "deployment name", OBJECT_NAME_MAX);
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > MAX_REPLICAS) {
      throw new ValidationError([{ path: "replicas", message: `must be a whole number from 0 to ${MAX_REPLICAS}, got ${String(replicas)}` }]);
    }
    const action = `scale deployment ${namespace}/${name} to ${replicas}`;
    try {
      // client-node defaults every patch to json-patch; a merge patch must say so (FIDELITY §2).
      const body: unknown = await request(action, () =>
        apps.patchNamespacedDeploymentScale(
          { namespace, name, body: { spec: { replicas } } },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
        ),
      );
      const scale = parseResponse(ScaleSchema, body, action, "scale");
      const stored = scale.spec?.replicas;
      if (stored === undefined) throw new UpstreamError("karmada", `${action}: malformed response from ${server}: scale.spec.replicas: missing`);
      return stored;
    } catch (error) {
      if (isUpstreamStatus(error, 404)) throw new NotFoundError("deployment", `${namespace}/${name}`);
      throw error;
    }
  }

  async function getPrometheusRule(namespace: string, name: string): Promise<PrometheusRule | undefined> {
    assertValidName(namespace, "namespace", OBJECT_NAME_MAX);
    assertValidName(name, "PrometheusRule name", OBJECT_NAME_MAX);
    const action = `get PrometheusRule ${namespace}/${name}`;
    try {
      const body: unknown = await request(action, () => customObjects.getNamespacedCustomObject({ ...PROMETHEUS_RULES, namespace, name }));
      return parseResponse(PrometheusRuleSchema, body, action, "prometheusRule");
    } catch (error) {
      if (isUpstreamStatus(error, 404)) return undefined;
      throw error;
    }
  }

  /** Checks a rule SMO is about to write and returns the exact body to send. */
  function prepareRuleBody(namespace: string, name: string, rule: PrometheusRule, resourceVersion: string | undefined): PrometheusRule {
    const { resourceVersion: _ignored, ...metadata } = rule.metadata;
    const body: PrometheusRule = {
      ...rule,
      apiVersion: `${PROMETHEUS_RULES.group}/${PROMETHEUS_RULES.version}`,
      kind: "PrometheusRule",
      metadata: { ...metadata, name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    };
    const result = WritablePrometheusRuleSchema.safeParse(body);
    if (!result.success) throw new ValidationError(formatIssues(result.error.issues, "rule", 10));
    return body;
  }

  async function createRule(namespace: string, name: string, body: PrometheusRule): Promise<PrometheusRule> {
    const action = `create PrometheusRule ${namespace}/${name}`;
    try {
      const stored: unknown = await request(action, () => customObjects.createNamespacedCustomObject({ ...PROMETHEUS_RULES, namespace, body }));
      return parseResponse(PrometheusRuleSchema, stored, action, "prometheusRule");
    } catch (error) {
      if (isUpstreamStatus(error, 409)) throw new ConflictError(error.message.replace(/^karmada: /, ""), { cause: error });
      throw error;
    }
  }

  async function createPrometheusRule(namespace: string, rule: PrometheusRule): Promise<PrometheusRule> {
    assertValidName(namespace, "namespace", OBJECT_NAME_MAX);
    assertValidName(rule?.metadata?.name, "rule.metadata.name", OBJECT_NAME_MAX);
    const name = rule.metadata.name;
    return createRule(namespace, name, prepareRuleBody(namespace, name, rule, undefined));
  }

  async function updatePrometheusRule(namespace: string, name: string, mutate: PrometheusRuleMutation): Promise<PrometheusRuleUpdate> {
    assertValidName(namespace, "namespace", OBJECT_NAME_MAX);
    assertValidName(name, "PrometheusRule name", OBJECT_NAME_MAX);
    let conflicts = 0;
    for (let attempt = 1; ; attempt += 1) {
      const current = await getPrometheusRule(namespace, name);
      const desired = mutate(current === undefined ? undefined : structuredClone(current));
      if (desired === undefined || (current !== undefined && isDeepStrictEqual(desired, current))) {
        return { rule: current, written: false, created: false, conflicts };
      }
      const body = prepareRuleBody(namespace, name, desired, current?.metadata.resourceVersion);
      try {
        if (current === undefined) {
          return { rule: await createRule(namespace, name, body), written: true, created: true, conflicts };
        }
        const action = `replace PrometheusRule ${namespace}/${name}`;
        const stored: unknown = await request(action, () => customObjects.replaceNamespacedCustomObject({ ...PROMETHEUS_RULES, namespace, name, body }));
        return { rule: parseResponse(PrometheusRuleSchema, stored, action, "prometheusRule"), written: true, created: false, conflicts };
      } catch (error) {
        // 409: someone wrote in between (stale resourceVersion) or created it first. Read again and redo.
        const isConflict = error instanceof ConflictError || isUpstreamStatus(error, 409);
        if (!isConflict) throw error;
        conflicts += 1;
        if (attempt >= maxAttempts) {
          throw new ConflictError(`PrometheusRule ${namespace}/${name} kept changing: still conflicting after ${attempt} attempts`, { cause: error });
        }
        const delay = backoffMs * 2 ** (attempt - 1) * (0.5 + Math.random());
        logger.debug({ namespace, name, attempt, delayMs: Math.round(delay) }, "PrometheusRule update conflicted; retrying");
        await sleep(delay);
      }
    }
  }

  async function listPropagationPolicies(namespace: string): Promise<PropagationPolicyState[]> {
    assertValidName(namespace, "namespace", OBJECT_NAME_MAX);
    const action = `list PropagationPolicies in ${namespace}`;
    const body: unknown = await request(action, () => customObjects.listNamespacedCustomObject({ ...PROPAGATION_POLICIES, namespace }));
    const list = parseResponse(PropagationPolicyListSchema, body, action, "");
    return list.items.map((policy) => toPropagationPolicyState(policy, namespace));
  }

  /** Clusters Karmada's scheduler bound the Deployment to, or undefined when there is no ResourceBinding to read. */
  async function getBoundClusters(namespace: string, deploymentName: string): Promise<string[] | undefined> {
    // Karmada names the binding `<name>-<kind>` in lower case (names.GenerateBindingName).
    const name = `${deploymentName}-deployment`;
    const action = `get ResourceBinding ${namespace}/${name}`;
    try {
      const body: unknown = await request(action, () => customObjects.getNamespacedCustomObject({ ...RESOURCE_BINDINGS, namespace, name }));
      const binding = parseResponse(ResourceBindingSchema, body, action, "resourceBinding");
      return (binding.spec.clusters ?? []).filter((target) => target.replicas === undefined || target.replicas > 0).map((target) => target.name);
    } catch (error) {
      // 404 covers both "not scheduled yet" and "this API server serves no ResourceBindings".
      if (isUpstreamStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async function getReleasePlacement(namespace: string, deploymentName: string): Promise<string[]> {
    assertValidName(namespace, "namespace", OBJECT_NAME_MAX);
    assertValidName(deploymentName, "deployment name", OBJECT_NAME_MAX);
    const [deployment, policies, bound] = await Promise.all([
      getDeployment(namespace, deploymentName),
      listPropagationPolicies(namespace),
      getBoundClusters(namespace, deploymentName),
    ]);
    const policy = findGoverningPolicy(policies, { namespace, name: deploymentName, deployment });
    if (bound === undefined) return policy?.clusterNames ?? [];
    if (!policy || policy.clusterNames.length === 0) return bound;
    const allowed = new Set(policy.clusterNames);
    return bound.filter((cluster) => allowed.has(cluster));
  }

  async function ping(): Promise<PingResult> {
    try {
      await request("list clusters", () => customObjects.listClusterCustomObject({ ...CLUSTERS, limit: 1 }));
      return { ok: true, message: `Karmada API server at ${server} answered` };
    } catch (error) {
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  }

  return {
    server,
    listClusters,
    getDeployment,
    scaleDeployment,
    getPrometheusRule,
    createPrometheusRule,
    updatePrometheusRule,
    listPropagationPolicies,
    getReleasePlacement,
    ping,
  };
}

/** request() maps every ApiException to an UpstreamError carrying the HTTP status. */
function isUpstreamStatus(error: unknown, status: number): error is UpstreamError {
  return error instanceof UpstreamError && error.details.status === status;
}

function loadKubeConfig(options: KarmadaClientOptions): KubeConfig {
  const path = options.kubeconfig !== undefined ? "kubeconfig" : "kubeconfigPath";
  if (options.kubeconfig === undefined && !options.kubeconfigPath) {
    throw new ValidationError([{ path: "kubeconfigPath", message: "a Karmada kubeconfig (path or YAML text) is required" }]);
  }
  const kubeConfig = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) kubeConfig.loadFromString(options.kubeconfig);
    else kubeConfig.loadFromFile(options.kubeconfigPath!);
  } catch (error) {
    // Only the first line: YAML errors quote the offending source lines, which may hold a token.
    const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
    const source = options.kubeconfig !== undefined ? "the kubeconfig text" : options.kubeconfigPath;
    throw new ValidationError([{ path, message: `cannot load ${source}: ${reason}` }]);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new ValidationError([{ path, message: "the kubeconfig has no current context with a cluster" }]);
  if (!/^https?:\/\//.test(cluster.server)) {
    throw new ValidationError([{ path, message: `cluster "${cluster.name}" has server "${cluster.server}", expected an http(s) URL` }]);
  }
  if (cluster.server.startsWith("http:") && !cluster.skipTLSVerify) {
    // client-node ≥ 1.1 refuses plain http otherwise, with a message that does not say where to fix it.
    throw new ValidationError([{ path, message: `cluster "${cluster.name}" uses plain http (${cluster.server}): set insecure-skip-tls-verify: true` }]);
  }
  return kubeConfig;
}
