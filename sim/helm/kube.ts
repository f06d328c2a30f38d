/**
 * The fake helm's view of the cluster, through @kubernetes/client-node and the `--kubeconfig`
 * file like any client: namespaces, release Secrets, and the objects charts render.
 * Failures become `KubeFailure`s carrying the text helm would print.
 */

import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Secret,
  type V1Service,
} from "@kubernetes/client-node";

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
} & Record<string, unknown>;

/** A cluster call that failed; `message` is the Kubernetes/transport text helm would show. */
export class KubeFailure extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
    readonly reason: string | undefined,
    readonly isUnreachable: boolean,
  ) {
    super(message);
  }
}

export type ObjectRef = { apiVersion: string; kind: string; name: string; namespace: string };

export type KubeAccess = {
  /** `https://host:port` of the current context, for helm's "cluster unreachable" texts. */
  server: string;
  namespaceExists(name: string): Promise<boolean>;
  createNamespace(name: string): Promise<void>;
  listReleaseSecrets(options: { namespace?: string; release?: string }): Promise<V1Secret[]>;
  createSecret(namespace: string, secret: V1Secret): Promise<void>;
  replaceSecret(namespace: string, secret: V1Secret): Promise<void>;
  deleteSecret(namespace: string, name: string): Promise<void>;
  getObject(ref: ObjectRef): Promise<KubeObject | undefined>;
  createObject(object: KubeObject): Promise<void>;
  mergePatchObject(ref: ObjectRef, patch: Record<string, unknown>): Promise<void>;
  /** false when it was already gone. */
  deleteObject(ref: ObjectRef): Promise<boolean>;
};

/** Plurals of the grouped kinds charts render; core kinds go through CoreV1Api. */
const GROUPED_PLURALS: Record<string, string> = {
  Deployment: "deployments",
  PropagationPolicy: "propagationpolicies",
  ClusterPropagationPolicy: "clusterpropagationpolicies",
  ServiceExport: "serviceexports",
  ServiceImport: "serviceimports",
  PrometheusRule: "prometheusrules",
};

const MERGE_PATCH = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export function connectKube(options: { kubeconfigPath?: string; context?: string }): KubeAccess {
  const config = new KubeConfig();
  try {
    if (options.kubeconfigPath) config.loadFromFile(options.kubeconfigPath);
    else config.loadFromDefault();
    if (options.context) config.setCurrentContext(options.context);
  } catch (error) {
    throw new KubeFailure(`Kubernetes cluster unreachable: ${(error as Error).message}`, undefined, undefined, true);
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw new KubeFailure("Kubernetes cluster unreachable: invalid configuration: no configuration has been provided", undefined, undefined, true);
  }
  const server = cluster.server.replace(/\/+$/, "");
  const core = config.makeApiClient(CoreV1Api);
  const custom = config.makeApiClient(CustomObjectsApi);

  const call = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toKubeFailure(error, server);
    }
  };
  /** Runs a call whose 404 means "absent" rather than an error. */
  const callOptional = async <T>(run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call(run);
    } catch (error) {
      if (error instanceof KubeFailure && error.code === 404) return undefined;
      throw error;
    }
  };
  const groupedTarget = (ref: ObjectRef) => {
    const plural = GROUPED_PLURALS[ref.kind];
    if (!plural) throw new KubeFailure(`resource mapping not found for name: "${ref.name}" namespace: "${ref.namespace}" from "": no matches for kind "${ref.kind}" in version "${ref.apiVersion}"`, undefined, undefined, false);
    const [group, version] = ref.apiVersion.split("/");
    return { group, version, plural, namespace: ref.namespace };
  };
  const isCoreService = (ref: { apiVersion: string; kind: string }) => ref.apiVersion === "v1" && ref.kind === "Service";

  return {
    server,
    async namespaceExists(name) {
      return (await callOptional(() => core.readNamespace({ name }))) !== undefined;
    },
    async createNamespace(name) {
      try {
        await call(() => core.createNamespace({ body: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { name } } } }));
      } catch (error) {
        // helm ignores AlreadyExists: another install may have created it meanwhile.
        if (!(error instanceof KubeFailure && error.code === 409)) throw error;
      }
    },
    async listReleaseSecrets({ namespace, release }) {
      const labelSelector = release ? `owner=helm,name=${release}` : "owner=helm";
      const list = await call(() =>
        namespace === undefined ? core.listSecretForAllNamespaces({ labelSelector }) : core.listNamespacedSecret({ namespace, labelSelector }),
      );
      return list.items.filter((secret) => secret.type === "helm.sh/release.v1");
    },
    async createSecret(namespace, secret) {
      await call(() => core.createNamespacedSecret({ namespace, body: secret }));
    },
    async replaceSecret(namespace, secret) {
      await call(() => core.replaceNamespacedSecret({ namespace, name: secret.metadata?.name ?? "", body: secret }));
    },
    async deleteSecret(namespace, name) {
      await callOptional(() => core.deleteNamespacedSecret({ namespace, name }));
    },
    async getObject(ref) {
      if (isCoreService(ref)) {
        const service = await callOptional(() => core.readNamespacedService({ name: ref.name, namespace: ref.namespace }));
        return service ? toKubeObject(service, ref) : undefined;
      }
      const target = groupedTarget(ref);
      const object = await callOptional(() => custom.getNamespacedCustomObject({ ...target, name: ref.name }));
      return object as KubeObject | undefined;
    },
    async createObject(object) {
      const ref = refOf(object);
      if (isCoreService(ref)) {
        await call(() => core.createNamespacedService({ namespace: ref.namespace, body: object as V1Service }));
        return;
      }
      await call(() => custom.createNamespacedCustomObject({ ...groupedTarget(ref), body: object }));
    },
    async mergePatchObject(ref, patch) {
      if (isCoreService(ref)) {
        await call(() => core.patchNamespacedService({ name: ref.name, namespace: ref.namespace, body: patch }, MERGE_PATCH));
        return;
      }
      await call(() => custom.patchNamespacedCustomObject({ ...groupedTarget(ref), name: ref.name, body: patch }, MERGE_PATCH));
    },
    async deleteObject(ref) {
      if (isCoreService(ref)) return (await callOptional(() => core.deleteNamespacedService({ name: ref.name, namespace: ref.namespace }))) !== undefined;
      const target = groupedTarget(ref);
      return (await callOptional(() => custom.deleteNamespacedCustomObject({ ...target, name: ref.name }))) !== undefined;
    },
  };
}

export function refOf(object: KubeObject): ObjectRef {
  return { apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace ?? "" };
}

function toKubeObject(service: V1Service, ref: ObjectRef): KubeObject {
  return {
    ...(service as unknown as Record<string, unknown>),
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: {
      name: service.metadata?.name ?? ref.name,
      namespace: service.metadata?.namespace,
      labels: service.metadata?.labels,
      annotations: service.metadata?.annotations,
      resourceVersion: service.metadata?.resourceVersion,
    },
  };
}

/** client-node errors → the text helm prints (Status message, or Go's transport error wording). */
function toKubeFailure(error: unknown, server: string): KubeFailure {
  if (error instanceof KubeFailure) return error;
  if (error instanceof ApiException) {
    if (error.code === 401) {
      return new KubeFailure("Kubernetes cluster unreachable: the server has asked for the client to provide credentials", 401, "Unauthorized", true);
    }
    const status = parseStatus(error.body);
    return new KubeFailure(status?.message ?? `the server responded with the status code ${error.code} but did not return more information`, error.code, status?.reason, false);
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    const address = server.replace(/^https?:\/\//, "");
    const transport =
      code === "ECONNREFUSED"
        ? `dial tcp ${address}: connect: connection refused`
        : code === "ENOTFOUND"
          ? `dial tcp: lookup ${address.replace(/:\d+$/, "")}: no such host`
          : `${code}: ${(error as Error).message}`;
    return new KubeFailure(`Kubernetes cluster unreachable: Get "${server}/version": ${transport}`, undefined, undefined, true);
  }
  return new KubeFailure(error instanceof Error ? error.message : String(error), undefined, undefined, false);
}

function parseStatus(body: unknown): { message?: string; reason?: string } | undefined {
  if (typeof body !== "string") return typeof body === "object" && body !== null ? (body as { message?: string; reason?: string }) : undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown; reason?: unknown };
    return { message: typeof parsed.message === "string" ? parsed.message : undefined, reason: typeof parsed.reason === "string" ? parsed.reason : undefined };
  } catch {
    return undefined;
  }
}
