/**
 * A minimal OpenAPI v3 surface: the `/openapi/v3` index and one document per group/version
 * listing, for each kind, its write operations with the `x-kubernetes-group-version-kind`
 * extension and the `fieldValidation` parameter. That is what `kubectl apply` looks for to
 * choose server-side field validation (it otherwise needs the protobuf `/openapi/v2`). No
 * schemas are published, so kubectl builds strategic merge patches from its compiled-in types
 * and JSON merge patches for custom resources, as it does for CRDs without schemas.
 */
import { createHash } from "node:crypto";
import { acceptedPatchTypes } from "./patch";
import { listGroupVersions, RESOURCE_TYPES, type ResourceType } from "./resources";

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const QUERY_PARAMETERS = ["dryRun", "fieldManager", "fieldValidation", "force", "pretty"].map((name) => ({
  name,
  in: "query",
  schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true },
}));

function operation(type: ResourceType, action: string, contentTypes: string[] | undefined): Record<string, unknown> {
  const result: Record<string, unknown> = {
    operationId: `${action}${type.kind}`,
    parameters: QUERY_PARAMETERS,
    responses: { "200": { description: "OK", content: { "application/json": { schema: { type: "object" } } } } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": { group: type.group, version: type.version, kind: type.kind },
  };
  if (contentTypes) {
    result.requestBody = { content: Object.fromEntries(contentTypes.map((contentType) => [contentType, { schema: { type: "object" } }])), required: true };
  }
  return result;
}

/** The OpenAPI v3 document of one group/version, or undefined when it is not served. */
export function openApiGroupVersionDocument(group: string, version: string): Record<string, unknown> | undefined {
  const types = RESOURCE_TYPES.filter((type) => type.group === group && type.version === version);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const type of types) {
    const base = `/${gvPath(group, version)}${type.namespaced ? "/namespaces/{namespace}" : ""}/${type.plural}`;
    // Strategic merge is left out on purpose: kubectl then falls back to its built-in patch metadata.
    const patchTypes = acceptedPatchTypes(true);
    paths[base] = { post: operation(type, "post", ["application/json"]) };
    paths[`${base}/{name}`] = {
      put: operation(type, "put", ["application/json"]),
      patch: operation(type, "patch", patchTypes),
    };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.31.3" },
    paths,
    components: { schemas: {} },
  };
}

/** The `/openapi/v3` index: one entry per group/version with a content hash, as the API server serves it. */
export function openApiIndexDocument(): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, versions } of listGroupVersions()) {
    for (const version of versions) {
      const document = openApiGroupVersionDocument(group, version);
      const hash = createHash("sha512").update(JSON.stringify(document)).digest("hex").slice(0, 128).toUpperCase();
      paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
    }
  }
  return { paths };
}
