/**
 * Kubernetes `Status` error bodies, worded as apimachinery's `pkg/api/errors` words them
 * (see shared/fixtures/k8s-status-*.json). Handlers throw `KubeStatusError`; the router
 * writes its body with the matching HTTP code.
 */
import { qualifiedKind, qualifiedResource, type ResourceType } from "./resources";

export type StatusCause = { reason: string; message: string; field: string };

export type StatusDetails = { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };

export type StatusBody = {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
};

export class KubeStatusError extends Error {
  constructor(readonly body: StatusBody) {
    super(body.message ?? body.reason ?? `HTTP ${body.code}`);
    this.name = "KubeStatusError";
  }
  get code(): number {
    return this.body.code;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): KubeStatusError {
  // Key order as the API server writes it: details before code.
  const body: StatusBody = details
    ? { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, details, code }
    : { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  return new KubeStatusError(body);
}

/** details for a resource: `group` is omitted for the core group, `kind` is the plural resource. */
function detailsFor(type: ResourceType, name: string): StatusDetails {
  return type.group ? { name, group: type.group, kind: type.plural } : { name, kind: type.plural };
}

export function notFound(type: ResourceType, name: string): KubeStatusError {
  return failure(404, "NotFound", `${qualifiedResource(type)} "${name}" not found`, detailsFor(type, name));
}

/** A namespaced create into a namespace that does not exist. */
export function namespaceNotFound(namespace: string): KubeStatusError {
  return failure(404, "NotFound", `namespaces "${namespace}" not found`, { name: namespace, kind: "namespaces" });
}

export function alreadyExists(type: ResourceType, name: string): KubeStatusError {
  return failure(409, "AlreadyExists", `${qualifiedResource(type)} "${name}" already exists`, detailsFor(type, name));
}

export function conflict(type: ResourceType, name: string): KubeStatusError {
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    detailsFor(type, name),
  );
}

/** A precondition (uid or resourceVersion in DeleteOptions) that does not hold. */
export function preconditionConflict(type: ResourceType, name: string, detail: string): KubeStatusError {
  return failure(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": ${detail}`, detailsFor(type, name));
}

export type InvalidCause = { field: string; reason?: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueNotSupported"; message: string };

/**
 * 422 Invalid. `subject` names what is invalid: `{ kind: "Deployment", group: "apps" }`
 * for field validation (message starts with `Deployment.apps`), or the resource itself for
 * the resourceVersion rule (`prometheusrules.monitoring.coreos.com`).
 */
export function invalid(subject: { qualified: string; group: string; kind: string }, name: string, causes: InvalidCause[]): KubeStatusError {
  const full = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const message = `${subject.qualified} "${name}" is invalid: ${full.length === 1 ? full[0] : `[${full.join(", ")}]`}`;
  const details: StatusDetails = subject.group ? { name, group: subject.group, kind: subject.kind } : { name, kind: subject.kind };
  details.causes = causes.map((cause) => ({ reason: cause.reason ?? "FieldValueInvalid", message: cause.message, field: cause.field }));
  return failure(422, "Invalid", message, details);
}

/** 422 naming the Kind (`Deployment.apps "web" is invalid: …`). */
export function invalidKind(type: ResourceType, name: string, causes: InvalidCause[]): KubeStatusError {
  return invalid({ qualified: qualifiedKind(type), group: type.group, kind: type.kind }, name, causes);
}

/** 422 naming the resource (`prometheusrules.monitoring.coreos.com "x" is invalid: …`). */
export function invalidResource(type: ResourceType, name: string, causes: InvalidCause[]): KubeStatusError {
  return invalid({ qualified: qualifiedResource(type), group: type.group, kind: type.plural }, name, causes);
}

export function badRequest(message: string): KubeStatusError {
  return failure(400, "BadRequest", message);
}

export function unsupportedMediaType(accepted: string[]): KubeStatusError {
  return failure(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
}

export function unauthorized(): KubeStatusError {
  return failure(401, "Unauthorized", "Unauthorized");
}

export function genericNotFound(): KubeStatusError {
  return failure(404, "NotFound", "the server could not find the requested resource", {});
}

export function methodNotAllowed(): KubeStatusError {
  return failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {});
}

export function notAcceptable(accepted: string[]): KubeStatusError {
  return failure(406, "NotAcceptable", `only the following media types are accepted: ${accepted.join(", ")}`);
}

export function internalError(message: string): KubeStatusError {
  return failure(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ reason: "UnexpectedServerResponse", message, field: "" }] });
}

/** The body of a successful DELETE of a built-in object. */
export function deletedStatus(type: ResourceType, name: string, uid: string | undefined): Record<string, unknown> {
  const details: StatusDetails = { ...detailsFor(type, name) };
  if (uid) details.uid = uid;
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details };
}
