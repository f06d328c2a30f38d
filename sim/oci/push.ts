/**
 * Pushes HDAR descriptor artifacts to an OCI registry over the distribution HTTP API, for tests
 * and for the sandbox: a tar.gz layer holding the YAML, an empty config, and an OCI manifest
 * carrying the HDAR artifact type. Blobs go up as monolithic uploads (POST, then PUT ?digest=).
 */

import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { HDAR_ARTIFACT_TYPE, OCI_EMPTY_CONFIG, OCI_INDEX, OCI_LAYER_TAR_GZIP, OCI_MANIFEST } from "../../lib/oci/media-types";

export type ArtifactLayer = { mediaType: string; bytes: Buffer; annotations?: Record<string, string> };

export type PushArtifactInput = {
  /** `http://127.0.0.1:5000` */
  registryUrl: string;
  repository: string;
  tag: string;
  layers: ArtifactLayer[];
  artifactType?: string;
  fetch?: typeof fetch;
};

export type PushedArtifact = {
  /** `oci://host:port/repository:tag` */
  reference: string;
  /** Digest of the manifest (also usable as `oci://…@<digest>`). */
  digest: string;
  layerDigests: string[];
};

export type PushDescriptorInput = {
  registryUrl: string;
  repository: string;
  tag: string;
  yamlText: string;
  /** Name of the YAML file inside the tarball, e.g. `hdag.yaml`. */
  fileName: string;
  fetch?: typeof fetch;
};

export async function pushDescriptorArtifact(input: PushDescriptorInput): Promise<PushedArtifact> {
  const layer = await createTarGz([{ name: input.fileName, content: Buffer.from(input.yamlText, "utf8") }]);
  return pushArtifact({
    registryUrl: input.registryUrl,
    repository: input.repository,
    tag: input.tag,
    fetch: input.fetch,
    layers: [{ mediaType: OCI_LAYER_TAR_GZIP, bytes: layer, annotations: { "org.opencontainers.image.title": `${input.fileName}.tar.gz` } }],
  });
}

/** Pushes any layers under an OCI manifest (tests use it for odd artifacts: plain YAML, gzip bombs). */
export async function pushArtifact(input: PushArtifactInput): Promise<PushedArtifact> {
  const fetchImpl = input.fetch ?? fetch;
  const base = input.registryUrl.replace(/\/+$/, "");
  const emptyConfig = Buffer.from("{}", "utf8");
  await uploadBlob(fetchImpl, base, input.repository, emptyConfig);
  const layerDigests: string[] = [];
  for (const layer of input.layers) layerDigests.push(await uploadBlob(fetchImpl, base, input.repository, layer.bytes));
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: input.artifactType ?? HDAR_ARTIFACT_TYPE,
    config: { mediaType: OCI_EMPTY_CONFIG, digest: digestOf(emptyConfig), size: emptyConfig.length },
    layers: input.layers.map((layer, index) => ({
      mediaType: layer.mediaType,
      digest: layerDigests[index],
      size: layer.bytes.length,
      ...(layer.annotations ? { annotations: layer.annotations } : {}),
    })),
  };
  const digest = await putManifest(fetchImpl, base, input.repository, input.tag, OCI_MANIFEST, manifest);
  return { reference: `oci://${new URL(base).host}/${input.repository}:${input.tag}`, digest, layerDigests };
}

/** Tags an OCI image index whose entries are the given manifests (first one first). */
export async function pushIndex(input: { registryUrl: string; repository: string; tag: string; manifests: { digest: string; size: number }[]; fetch?: typeof fetch }): Promise<string> {
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: input.manifests.map((entry) => ({ mediaType: OCI_MANIFEST, ...entry })) };
  return putManifest(input.fetch ?? fetch, input.registryUrl.replace(/\/+$/, ""), input.repository, input.tag, OCI_INDEX, index);
}

export async function createTarGz(files: { name: string; content: Buffer }[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<Buffer>((resolve, reject) => {
    archive.on("data", (chunk: unknown) => chunks.push(Buffer.from(chunk as Uint8Array)));
    archive.on("end", () => resolve(Buffer.concat(chunks)));
    archive.on("error", reject);
  });
  for (const file of files) {
    await new Promise<void>((resolve, reject) => archive.entry({ name: file.name, size: file.content.length, mode: 0o644, mtime: new Date(0) }, file.content, (error) => (error ? reject(error) : resolve())));
  }
  archive.finalize();
  return gzipSync(await collected);
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

async function uploadBlob(fetchImpl: typeof fetch, base: string, repository: string, bytes: Buffer): Promise<string> {
  const digest = digestOf(bytes);
  const start = await fetchImpl(`${base}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  if (start.status !== 202) throw new Error(`POST ${base}/v2/${repository}/blobs/uploads/ returned HTTP ${start.status}: ${await start.text()}`);
  await start.body?.cancel();
  const location = start.headers.get("location");
  if (!location) throw new Error(`the registry at ${base} gave no upload Location`);
  const uploadUrl = new URL(location, base);
  uploadUrl.searchParams.set("digest", digest);
  const put = await fetchImpl(uploadUrl, { method: "PUT", headers: { "Content-Type": "application/octet-stream" }, body: new Uint8Array(bytes) });
  if (put.status !== 201) throw new Error(`PUT of blob ${digest} to ${base} returned HTTP ${put.status}: ${await put.text()}`);
  await put.body?.cancel();
  return digest;
}

async function putManifest(fetchImpl: typeof fetch, base: string, repository: string, tag: string, mediaType: string, manifest: unknown): Promise<string> {
  const body = Buffer.from(JSON.stringify(manifest), "utf8");
  const response = await fetchImpl(`${base}/v2/${repository}/manifests/${tag}`, { method: "PUT", headers: { "Content-Type": mediaType }, body: new Uint8Array(body) });
  if (response.status !== 201) throw new Error(`PUT of manifest ${repository}:${tag} to ${base} returned HTTP ${response.status}: ${await response.text()}`);
  await response.body?.cancel();
  return digestOf(body);
}
