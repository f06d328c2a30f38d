/**
 * The API verbs with the API server's semantics (registry `Store` behaviour): create, get,
 * list, update with optimistic concurrency, the four patch flavours, delete, and the
 * `scale` and `status` subresources. HTTP parsing lives in server.ts; storage in store.ts.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { applyDefaults, validateName, validateObject } from "./defaults";
import { applyJsonPatch, applyMergePatch, isJsonObject, strategicMerge, type JsonObject, type JsonValue, type PatchKind } from "./patch";
import { apiVersionOf, RESOURCE_TYPES, type KubeObject, type ResourceType } from "./resources";
import {
  formatLabelSelector,
  matchesFields,
  matchesRequirements,
  parseFieldSelector,
  parseLabelSelector,
  type LabelSelectorObject,
} from "./selectors";
import {
  alreadyExists,
  badRequest,
  conflict,
  deletedStatus,
  invalid,
  invalidResource,
  KubeStatusError,
  namespaceNotFound,
  notFound,
  preconditionConflict,
} from "./status";
import type { ObjectStore } from "./store";

export type WriteOptions = { dryRun: boolean };

export type ListOptions = { labelSelector?: string; fieldSelector?: string; limit?: number; continueToken?: string };

export type ListResult = { items: KubeObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number };

/** Namespaces that the API server refuses to delete. */
const UNDELETABLE_NAMESPACES = new Set(["default", "kube-system", "kube-public"]);

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

function namespaceType(): ResourceType {
  return RESOURCE_TYPES.find((type) => type.group === "" && type.plural === "namespaces")!;
}

/** Everything of an object except metadata and status: what bumps `metadata.generation`. */
function specPart(object: KubeObject): string {
  const rest: Record<string, unknown> = { ...object };
  delete rest.metadata;
  delete rest.status;
  delete rest.kind;
  delete rest.apiVersion;
  return JSON.stringify(rest);
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (object: KubeObject) => ({ ...object, metadata: { ...object.metadata, resourceVersion: undefined } });
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** Field values a `?fieldSelector=` may use, per type. */
function selectableFields(type: ResourceType, object: KubeObject): Record<string, string> {
  const fields: Record<string, string> = { "metadata.name": object.metadata.name ?? "" };
  if (type.namespaced) fields["metadata.namespace"] = object.metadata.namespace ?? "";
  if (type.group === "" && type.plural === "secrets") fields.type = String(object.type ?? "");
  if (type.group === "" && type.plural === "namespaces") fields["status.phase"] = String((object.status as { phase?: string } | undefined)?.phase ?? "");
  return fields;
}

export class KubeApi {
  constructor(private readonly store: ObjectStore) {}

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const object = this.store.get(type, namespace, name);
    if (!object) throw notFound(type, name);
    return object;
  }

  list(type: ResourceType, namespace: string | undefined, options: ListOptions): ListResult {
    const labelRequirements = options.labelSelector ? parseLabelSelector(options.labelSelector) : [];
    const fieldNames = Object.keys(selectableFields(type, { metadata: {} }));
    const fieldRequirements = options.fieldSelector ? parseFieldSelector(options.fieldSelector, fieldNames) : [];
    let items = this.store
      .list(type, namespace)
      .filter((object) => matchesRequirements(object.metadata.labels, labelRequirements))
      .filter((object) => matchesFields(selectableFields(type, object), fieldRequirements));
    const resourceVersion = this.store.currentResourceVersion();
    if (options.continueToken) {
      let after: string;
      try {
        after = Buffer.from(options.continueToken, "base64url").toString("utf8");
      } catch {
        throw badRequest("continue key is not valid: illegal base64 data");
      }
      items = items.filter((object) => `${object.metadata.namespace ?? ""}/${object.metadata.name}` > after);
    }
    if (options.limit !== undefined && options.limit > 0 && items.length > options.limit) {
      const page = items.slice(0, options.limit);
      const last = page[page.length - 1]!;
      const continueToken = Buffer.from(`${last.metadata.namespace ?? ""}/${last.metadata.name}`, "utf8").toString("base64url");
      return { items: page, resourceVersion, continueToken, remainingItemCount: items.length - page.length };
    }
    return { items, resourceVersion };
  }

  create(type: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions): KubeObject {
    const object = this.checkBody(type, namespace, body);
    if (!object.metadata.name) {
      if (object.metadata.generateName) {
        object.metadata.name = `${object.metadata.generateName}${randomBytes(4).toString("hex").slice(0, 5)}`;
      } else {
        throw invalid({ qualified: type.group ? `${type.kind}.${type.group}` : type.kind, group: type.group, kind: type.kind }, "", [
          { field: "metadata.name", reason: "FieldValueRequired", message: "Required value: name or generateName is required" },
        ]);
      }
    }
    const name = object.metadata.name;
    validateName(type, name);
    if (type.namespaced) {
      if (!this.store.get(namespaceType(), undefined, namespace!)) throw namespaceNotFound(namespace!);
      object.metadata.namespace = namespace;
    } else {
      delete object.metadata.namespace;
    }
    if (this.store.get(type, namespace, name)) throw alreadyExists(type, name);
    // Status is owned by controllers: a create cannot set it for types with a status subresource.
    if (type.subresources.includes("status")) delete object.status;
    object.metadata.uid = randomUUID();
    object.metadata.creationTimestamp = nowTimestamp();
    delete object.metadata.resourceVersion;
    delete object.metadata.deletionTimestamp;
    if (type.hasGeneration) object.metadata.generation = 1;
    else delete object.metadata.generation;
    applyDefaults(type, object);
    validateObject(type, object, undefined);
    return options.dryRun ? this.preview(type, object) : this.store.put(type, object);
  }

  /** PUT of the main resource (or of `status` when `subresource` is "status"). */
  update(type: ResourceType, namespace: string | undefined, name: string, body: unknown, options: WriteOptions, subresource?: "status"): KubeObject {
    const object = this.checkBody(type, namespace, body, name);
    const existing = this.store.get(type, namespace, name);
    if (!existing) throw notFound(type, name);
    const requested = object.metadata.resourceVersion;
    if (requested === undefined || requested === "") {
      // CRs do not allow unconditional updates (apiextensions strategy AllowUnconditionalUpdate=false).
      if (type.isCustomResource) {
        throw invalidResource(type, name, [{ field: "metadata.resourceVersion", message: "Invalid value: 0: must be specified for an update" }]);
      }
    } else if (requested !== existing.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    return this.commitUpdate(type, existing, object, options, subresource);
  }

  /** PATCH of the main resource or of `status`. Apply patches create the object when missing. */
  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    kind: PatchKind,
    patch: unknown,
    options: WriteOptions,
    subresource?: "status",
  ): { object: KubeObject; created: boolean } {
    const existing = this.store.get(type, namespace, name);
    if (!existing) {
      if (kind !== "apply" || subresource) throw notFound(type, name);
      const body = isJsonObject(patch) ? structuredClone(patch) : patch;
      if (isJsonObject(body) && isJsonObject(body.metadata) && body.metadata.name === undefined) body.metadata.name = name;
      this.checkBody(type, namespace, body, name);
      return { object: this.create(type, namespace, body, options), created: true };
    }
    const patched = this.applyPatch(type, existing, kind, patch);
    if (!isJsonObject(patched.metadata)) throw badRequest("metadata must be an object");
    const requested = (patched.metadata as JsonObject).resourceVersion;
    if (requested !== undefined && requested !== null && requested !== "" && requested !== existing.metadata.resourceVersion) {
      throw conflict(type, name);
    }
    const object = this.checkBody(type, namespace, patched, name);
    return { object: this.commitUpdate(type, existing, object, options, subresource), created: false };
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, body: unknown, options: WriteOptions): Record<string, unknown> {
    const existing = this.store.get(type, namespace, name);
    if (!existing) throw notFound(type, name);
    const preconditions = isJsonObject(body) && isJsonObject(body.preconditions) ? body.preconditions : undefined;
    if (preconditions?.uid && preconditions.uid !== existing.metadata.uid) {
      throw preconditionConflict(
        type,
        name,
        `Precondition failed: UID in precondition: ${String(preconditions.uid)}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    if (preconditions?.resourceVersion && preconditions.resourceVersion !== existing.metadata.resourceVersion) {
      throw preconditionConflict(
        type,
        name,
        `Precondition failed: ResourceVersion in precondition: ${String(preconditions.resourceVersion)}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    }
    const isNamespace = type.group === "" && type.plural === "namespaces";
    if (isNamespace && UNDELETABLE_NAMESPACES.has(name)) {
      throw new KubeStatusError({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `namespaces "${name}" is forbidden: this namespace may not be deleted`,
        reason: "Forbidden",
        details: { name, kind: "namespaces" },
        code: 403,
      });
    }
    if (options.dryRun) return type.isCustomResource || isNamespace ? existing : deletedStatus(type, name, existing.metadata.uid);
    if (isNamespace) {
      // Real namespaces pass through Terminating while their content is deleted; here both happen at once.
      for (const member of RESOURCE_TYPES.filter((candidate) => candidate.namespaced)) {
        for (const object of this.store.list(member, name)) this.store.remove(member, name, object.metadata.name!);
      }
    }
    const removed = this.store.remove(type, namespace, name)!;
    if (isNamespace) {
      removed.metadata.deletionTimestamp = nowTimestamp();
      removed.status = { phase: "Terminating" };
      return removed;
    }
    return type.isCustomResource ? removed : deletedStatus(type, name, removed.metadata.uid);
  }

  /** `autoscaling/v1` Scale of a Deployment. */
  getScale(type: ResourceType, namespace: string, name: string): KubeObject {
    return scaleOf(this.get(type, namespace, name));
  }

  updateScale(type: ResourceType, namespace: string, name: string, body: unknown, options: WriteOptions): KubeObject {
    const existing = this.get(type, namespace, name);
    if (!isJsonObject(body)) throw badRequest("the body of the request must be a JSON object");
    const metadata = isJsonObject(body.metadata) ? body.metadata : {};
    if (metadata.name !== undefined && metadata.name !== name) {
      throw badRequest(`the name of the object (${String(metadata.name)}) does not match the name on the URL (${name})`);
    }
    const requested = metadata.resourceVersion;
    if (typeof requested === "string" && requested !== "" && requested !== existing.metadata.resourceVersion) throw conflict(type, name);
    const spec = isJsonObject(body.spec) ? body.spec : {};
    const replicas = spec.replicas ?? 0;
    if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
      const detail =
        typeof replicas === "number" && Number.isInteger(replicas)
          ? `Invalid value: ${replicas}: must be greater than or equal to 0`
          : `Invalid value: ${JSON.stringify(replicas)}: must be an integer`;
      throw invalid({ qualified: "Scale.autoscaling", group: "autoscaling", kind: "Scale" }, name, [{ field: "spec.replicas", message: detail }]);
    }
    const updated = structuredClone(existing);
    (updated.spec as JsonObject).replicas = replicas;
    return scaleOf(this.commitUpdate(type, existing, updated, options));
  }

  patchScale(type: ResourceType, namespace: string, name: string, kind: PatchKind, patch: unknown, options: WriteOptions): KubeObject {
    const scale = this.getScale(type, namespace, name);
    const patched = applyPatchDocument(scale as unknown as JsonObject, kind, patch, true);
    return this.updateScale(type, namespace, name, patched, options);
  }

  /** Checks a request body is an object of this type whose name and namespace agree with the URL. */
  private checkBody(type: ResourceType, namespace: string | undefined, body: unknown, urlName?: string): KubeObject {
    if (!isJsonObject(body)) throw badRequest(`the body of the request must be a ${type.kind} object`);
    const object = structuredClone(body) as unknown as KubeObject;
    if (object.apiVersion !== undefined && object.apiVersion !== apiVersionOf(type)) {
      throw badRequest(`the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`);
    }
    if (object.kind !== undefined && object.kind !== type.kind) {
      throw badRequest(`the kind in the data (${String(object.kind)}) does not match the expected kind (${type.kind})`);
    }
    if (object.metadata === undefined || object.metadata === null) object.metadata = {};
    if (!isJsonObject(object.metadata)) throw badRequest("metadata must be an object");
    if (urlName !== undefined && object.metadata.name !== undefined && object.metadata.name !== urlName) {
      throw badRequest(`the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${urlName})`);
    }
    if (urlName !== undefined) object.metadata.name = urlName;
    if (type.namespaced && object.metadata.namespace !== undefined && object.metadata.namespace !== "" && object.metadata.namespace !== namespace) {
      throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    return object;
  }

  private applyPatch(type: ResourceType, existing: KubeObject, kind: PatchKind, patch: unknown): JsonObject {
    return applyPatchDocument(existing as unknown as JsonObject, kind, patch, !type.isCustomResource);
  }

  /** Writes `next` over `existing`: identity kept, status or spec preserved per subresource, generation bumped on spec change. */
  private commitUpdate(type: ResourceType, existing: KubeObject, next: KubeObject, options: WriteOptions, subresource?: "status"): KubeObject {
    let object: KubeObject;
    if (subresource === "status") {
      object = structuredClone(existing);
      if (next.status === undefined) delete object.status;
      else object.status = next.status;
    } else {
      object = structuredClone(next);
      if (type.subresources.includes("status")) {
        if (existing.status === undefined) delete object.status;
        else object.status = existing.status;
      }
    }
    object.metadata = {
      ...object.metadata,
      name: existing.metadata.name,
      uid: existing.metadata.uid,
      creationTimestamp: existing.metadata.creationTimestamp,
      resourceVersion: existing.metadata.resourceVersion,
    };
    if (type.namespaced) object.metadata.namespace = existing.metadata.namespace;
    else delete object.metadata.namespace;
    if (type.hasGeneration) {
      const generation = existing.metadata.generation ?? 1;
      object.metadata.generation = specPart(object) !== specPart(existing) ? generation + 1 : generation;
    }
    applyDefaults(type, object);
    validateObject(type, object, existing);
    // An update that changes nothing is a no-op: same resourceVersion, no event.
    if (sameContent(object, existing)) return existing;
    return options.dryRun ? this.preview(type, object) : this.store.put(type, object);
  }

  private preview(type: ResourceType, object: KubeObject): KubeObject {
    return { apiVersion: apiVersionOf(type), kind: type.kind, ...structuredClone(object) };
  }
}

/** Applies one patch of the given kind to a JSON document. */
export function applyPatchDocument(target: JsonObject, kind: PatchKind, patch: unknown, strategicAllowed: boolean): JsonObject {
  switch (kind) {
    case "json":
      return applyJsonPatch(target, patch);
    case "merge":
      if (!isJsonObject(patch)) throw badRequest("the merge patch must be a JSON object");
      return applyMergePatch(target, patch) as JsonObject;
    case "strategic":
    case "apply":
      if (!isJsonObject(patch)) throw badRequest(`the ${kind === "apply" ? "applied configuration" : "strategic merge patch"} must be an object`);
      return strategicAllowed ? strategicMerge(target, patch) : (applyMergePatch(target, patch as JsonValue) as JsonObject);
  }
}

/** The `autoscaling/v1` Scale view of a Deployment (selector as a string, the Deployment's resourceVersion). */
export function scaleOf(deployment: KubeObject): KubeObject {
  const spec = (deployment.spec ?? {}) as { replicas?: number; selector?: LabelSelectorObject };
  const status = (deployment.status ?? {}) as { replicas?: number };
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: deployment.metadata.name,
      namespace: deployment.metadata.namespace,
      uid: deployment.metadata.uid,
      resourceVersion: deployment.metadata.resourceVersion,
      creationTimestamp: deployment.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: formatLabelSelector(spec.selector) },
  };
}
