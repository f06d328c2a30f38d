/**
 * Release records stored the way helm 3's secrets driver stores them: one Secret per revision,
 * `sh.helm.release.v1.<name>.v<revision>`, type `helm.sh/release.v1`, labels owner/name/status/
 * version, and `data.release` = base64(gzip(release JSON)) (the API adds its own base64 on top).
 */

import { gunzipSync, gzipSync } from "node:zlib";
import type { V1Secret } from "@kubernetes/client-node";

export type ReleaseStatus = "unknown" | "deployed" | "uninstalled" | "superseded" | "failed" | "uninstalling" | "pending-install" | "pending-upgrade" | "pending-rollback";

export type StoredRelease = {
  name: string;
  namespace: string;
  version: number;
  info: {
    first_deployed: string;
    last_deployed: string;
    deleted: string;
    description: string;
    status: ReleaseStatus;
  };
  chart: { metadata: { apiVersion: "v2"; name: string; version: string; appVersion: string; type: "application" } };
  config: Record<string, unknown>;
  manifest: string;
};

export const RELEASE_SECRET_TYPE = "helm.sh/release.v1";

export function releaseSecretName(name: string, version: number): string {
  return `sh.helm.release.v1.${name}.v${version}`;
}

export function isPendingStatus(status: ReleaseStatus): boolean {
  return status.startsWith("pending-");
}

export function encodeReleaseSecret(release: StoredRelease, options: { createdAt?: number; modifiedAt?: number; resourceVersion?: string } = {}): V1Secret {
  const payload = gzipSync(Buffer.from(JSON.stringify(release), "utf8")).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: RELEASE_SECRET_TYPE,
    metadata: {
      name: releaseSecretName(release.name, release.version),
      namespace: release.namespace,
      ...(options.resourceVersion ? { resourceVersion: options.resourceVersion } : {}),
      labels: {
        owner: "helm",
        name: release.name,
        status: release.info.status,
        version: String(release.version),
        ...(options.createdAt !== undefined ? { createdAt: String(Math.floor(options.createdAt / 1000)) } : {}),
        ...(options.modifiedAt !== undefined ? { modifiedAt: String(Math.floor(options.modifiedAt / 1000)) } : {}),
      },
    },
    data: { release: Buffer.from(payload, "utf8").toString("base64") },
  };
}

/** Reads a release Secret; accepts helm's gzip payload and plain base64 JSON. */
export function decodeReleaseSecret(secret: V1Secret): StoredRelease {
  const field = secret.data?.release;
  if (!field) throw new Error(`secret ${secret.metadata?.name} has no release data`);
  const inner = Buffer.from(Buffer.from(field, "base64").toString("utf8"), "base64");
  const isGzip = inner.length > 2 && inner[0] === 0x1f && inner[1] === 0x8b;
  return JSON.parse((isGzip ? gunzipSync(inner) : inner).toString("utf8")) as StoredRelease;
}

/** Highest revision first. */
export function sortByRevisionDescending(releases: StoredRelease[]): StoredRelease[] {
  return [...releases].sort((a, b) => b.version - a.version);
}
