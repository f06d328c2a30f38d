/**
 * OCI artifact references (`oci://host[:port]/repository[:tag|@sha256:digest]`) as the OCI
 * distribution spec defines their parts, and the loopback test that decides plain HTTP.
 */

import { ValidationError } from "../errors";

export type OciReference = {
  /** `host` or `host:port` as written (IPv6 in brackets). */
  registry: string;
  /** Host name without port or brackets. */
  hostname: string;
  repository: string;
  /** A tag or a `sha256:` digest; `latest` when the reference gives neither. */
  reference: string;
  isDigest: boolean;
};

const REPOSITORY_PATTERN = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;
const REGISTRY_PATTERN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const MAX_REFERENCE_LENGTH = 1024;

export function parseOciReference(text: string): OciReference {
  const fail = (message: string): never => {
    throw new ValidationError([{ path: "reference", message: `${JSON.stringify(text.length > 200 ? `${text.slice(0, 197)}...` : text)} ${message}` }]);
  };
  if (text.length > MAX_REFERENCE_LENGTH) fail(`is longer than ${MAX_REFERENCE_LENGTH} characters`);
  if (!text.startsWith("oci://")) fail("is not an oci:// reference");
  const rest = text.slice("oci://".length);
  const slash = rest.indexOf("/");
  if (slash <= 0) fail("has no repository: expected oci://host[:port]/repository[:tag]");
  const registry = rest.slice(0, slash);
  if (!REGISTRY_PATTERN.test(registry)) fail(`has an invalid registry host "${registry}"`);
  let path = rest.slice(slash + 1);
  let reference = "latest";
  let isDigest = false;
  const at = path.indexOf("@");
  if (at >= 0) {
    reference = path.slice(at + 1);
    path = path.slice(0, at);
    isDigest = true;
    if (!DIGEST_PATTERN.test(reference)) fail(`has an invalid digest "${reference}": expected sha256:<64 hex digits>`);
  } else {
    const colon = path.lastIndexOf(":");
    if (colon >= 0) {
      reference = path.slice(colon + 1);
      path = path.slice(0, colon);
      if (!TAG_PATTERN.test(reference)) fail(`has an invalid tag "${reference}"`);
    }
  }
  if (!REPOSITORY_PATTERN.test(path)) fail(`has an invalid repository "${path}": use lowercase letters, digits and separators . _ - /`);
  const hostname = registry.replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
  return { registry, hostname, repository: path, reference, isDigest };
}

/** 127.0.0.0/8, localhost and ::1: the only hosts reached over plain HTTP unless allowed explicitly. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
  const octets = host.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255);
}
