/**
 * Fetches an HDAG descriptor's text (SPEC §2) from an `oci://` HDAR artifact, pulled over the OCI
 * distribution HTTP API (no external binary), or from an `http(s)://` URL.
 *
 * Every byte count is capped before anything is parsed: Content-Length is checked first, then the
 * bytes actually received are counted, and decompression is counted as it streams, so a lying
 * server or a gzip bomb stops at the limit.
 */

import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";
import { UpstreamError, ValidationError } from "../errors";
import { isPlainDescriptorMediaType, isTarGzipMediaType, MANIFEST_ACCEPT, OCI_INDEX, DOCKER_MANIFEST_LIST } from "./media-types";
import { isLoopbackHost, parseOciReference, type OciReference } from "./reference";

export type FetchDescriptorOptions = {
  /** Cap of the descriptor text and of the compressed layer (default 1 MiB). */
  maxBytes?: number;
  /** Cap of a manifest (default 1 MiB). */
  maxManifestBytes?: number;
  /** Registries reached over plain HTTP; default: loopback hosts only. */
  plainHttpHosts?: (hostname: string) => boolean;
  fetch?: typeof fetch;
  /** Deadline of the whole fetch, all requests included (default 30 s). */
  timeoutMs?: number;
};

export type FetchedDescriptor = {
  text: string;
  /** The reference or URL it came from. */
  source: string;
  /** Digest of the OCI manifest, or sha256 of the body for URLs. */
  digest?: string;
};

const MIB = 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
/** Room for tar headers and padding around the descriptor file inside the archive. */
const TAR_OVERHEAD_BYTES = 64 * 1024;
const DESCRIPTOR_FILE_PATTERN = /\.(?:ya?ml|json)$/i;

type Descriptor = { mediaType?: string; digest?: string; size?: number };
type Manifest = { mediaType?: string; manifests?: Descriptor[]; layers?: Descriptor[] };

export async function fetchDescriptorText(reference: string, options: FetchDescriptorOptions = {}): Promise<FetchedDescriptor> {
  if (typeof reference !== "string" || reference.length === 0) throw new ValidationError([{ path: "reference", message: "must be a non-empty string" }]);
  if (reference.startsWith("oci://")) return fetchOciDescriptor(parseOciReference(reference), reference, options);
  if (/^https?:\/\//i.test(reference)) return fetchUrlDescriptor(reference, options);
  throw new ValidationError([{ path: "reference", message: `"${reference.slice(0, 200)}" is neither an oci:// reference nor an http(s):// URL` }]);
}

// ---------------------------------------------------------------------------------------------
// http(s)://

async function fetchUrlDescriptor(url: string, options: FetchDescriptorOptions): Promise<FetchedDescriptor> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError([{ path: "reference", message: `"${url.slice(0, 200)}" is not a valid URL` }]);
  }
  const maxBytes = options.maxBytes ?? MIB;
  const session = createSession(url, "http", options);
  try {
    const response = await session.request(parsed.toString(), { headers: { Accept: "application/yaml, application/json, text/plain, */*" } });
    if (!response.ok) throw await httpError(session, response, parsed.toString());
    const body = await readCapped(session, response, maxBytes, "descriptor");
    return { text: decodeUtf8(session, body), source: url, digest: sha256Digest(body) };
  } finally {
    session.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// oci://

async function fetchOciDescriptor(ref: OciReference, source: string, options: FetchDescriptorOptions): Promise<FetchedDescriptor> {
  const maxBytes = options.maxBytes ?? MIB;
  const maxManifestBytes = options.maxManifestBytes ?? MIB;
  const isPlainHttp = (options.plainHttpHosts ?? isLoopbackHost)(ref.hostname);
  const base = `${isPlainHttp ? "http" : "https"}://${ref.registry}/v2/${ref.repository}`;
  const session = createSession(source, "oci", options, { repository: ref.repository, isPlainHttpAllowed: options.plainHttpHosts ?? isLoopbackHost });
  try {
    let manifestReference = ref.reference;
    let expectedDigest = ref.isDigest ? ref.reference : undefined;
    let manifest: Manifest;
    let manifestDigest: string;
    // At most one level of index: an index's entries are manifests.
    for (let depth = 0; ; depth++) {
      const fetched = await fetchManifest(session, `${base}/manifests/${manifestReference}`, maxManifestBytes, expectedDigest);
      manifest = fetched.manifest;
      manifestDigest = fetched.digest;
      const mediaType = manifest.mediaType ?? fetched.contentType;
      if (mediaType !== OCI_INDEX && mediaType !== DOCKER_MANIFEST_LIST && !Array.isArray(manifest.manifests)) break;
      const first = manifest.manifests?.[0];
      if (depth > 0 || !first?.digest) throw session.fail(`the image index ${manifestDigest} lists no manifest`);
      manifestReference = first.digest;
      expectedDigest = first.digest;
    }
    const layer = (manifest.layers ?? []).find((candidate) => candidate.mediaType && (isTarGzipMediaType(candidate.mediaType) || isPlainDescriptorMediaType(candidate.mediaType)));
    if (!layer?.digest || !layer.mediaType) {
      const types = (manifest.layers ?? []).map((candidate) => candidate.mediaType).join(", ") || "none";
      throw session.fail(`manifest ${manifestDigest} has no tar+gzip or YAML layer (layers: ${types})`);
    }
    if (typeof layer.size === "number" && layer.size > maxBytes) throw session.tooLarge(`the layer ${layer.digest} (${layer.size} bytes)`, maxBytes);
    const blobUrl = `${base}/blobs/${layer.digest}`;
    const response = await session.request(blobUrl, {});
    if (!response.ok) throw await httpError(session, response, blobUrl);
    const blob = await readCapped(session, response, maxBytes, `the layer ${layer.digest}`);
    if (sha256Digest(blob) !== layer.digest) throw session.fail(`the layer's content does not match its digest ${layer.digest}`);
    const text = isTarGzipMediaType(layer.mediaType) ? await extractDescriptorFile(session, blob, maxBytes) : decodeUtf8(session, blob);
    return { text, source, digest: manifestDigest };
  } finally {
    session.dispose();
  }
}

async function fetchManifest(session: Session, url: string, maxBytes: number, expectedDigest: string | undefined): Promise<{ manifest: Manifest; digest: string; contentType: string }> {
  const response = await session.request(url, { headers: { Accept: MANIFEST_ACCEPT } });
  if (!response.ok) throw await httpError(session, response, url);
  const body = await readCapped(session, response, maxBytes, "the manifest");
  const digest = sha256Digest(body);
  if (expectedDigest && digest !== expectedDigest) throw session.fail(`the manifest's content does not match its digest ${expectedDigest}`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(body.toString("utf8"));
  } catch {
    throw session.fail(`the manifest at ${url} is not JSON`);
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) throw session.fail(`the manifest at ${url} is not a JSON object`);
  return { manifest: manifest as Manifest, digest, contentType: (response.headers.get("content-type") ?? "").split(";")[0].trim() };
}

/** Untars the gzip layer, counting decompressed bytes, and returns the first .yaml/.yml/.json file. */
async function extractDescriptorFile(session: Session, archive: Buffer, maxBytes: number): Promise<string> {
  const maxArchiveBytes = maxBytes + TAR_OVERHEAD_BYTES;
  let inflatedBytes = 0;
  const gunzip = createGunzip();
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      inflatedBytes += chunk.length;
      // Stops a gzip bomb here: nothing past the limit is ever inflated into memory.
      if (inflatedBytes > maxArchiveBytes) callback(session.tooLarge("the layer's uncompressed content", maxArchiveBytes));
      else callback(null, chunk);
    },
  });
  const untar = extract();
  const abort = (error: Error) => {
    gunzip.destroy();
    untar.destroy(error);
  };
  gunzip.on("error", abort);
  counter.on("error", abort);
  Readable.from([archive]).pipe(gunzip).pipe(counter).pipe(untar);

  let found: Buffer | undefined;
  try {
    for await (const entry of untar) {
      const { header } = entry;
      const isCandidate = header.type === "file" && DESCRIPTOR_FILE_PATTERN.test(header.name) && !header.name.split("/").some((part) => part.startsWith("._"));
      if (!isCandidate) {
        entry.resume();
        continue;
      }
      if (typeof header.size === "number" && header.size > maxBytes) throw session.tooLarge(`the file ${header.name} (${header.size} bytes)`, maxBytes);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of entry as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > maxBytes) throw session.tooLarge(`the file ${header.name}`, maxBytes);
        chunks.push(Buffer.from(chunk));
      }
      found = Buffer.concat(chunks);
      break;
    }
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    throw session.fail(`the layer is not a readable tar.gz archive: ${(error as Error).message}`);
  } finally {
    // Stops inflating what is left once the file is found (or on failure).
    gunzip.destroy();
    counter.destroy();
    untar.destroy();
  }
  if (!found) throw session.fail("the layer's archive holds no .yaml, .yml or .json file");
  return decodeUtf8(session, found);
}

// ---------------------------------------------------------------------------------------------
// HTTP session: deadline, anonymous bearer tokens, errors naming the reference

type Session = {
  request(url: string, init: { headers?: Record<string, string> }): Promise<Response>;
  signal: AbortSignal;
  fail(message: string, details?: { status?: number; reason?: string; cause?: unknown }): UpstreamError;
  tooLarge(what: string, limit: number): UpstreamError;
  dispose(): void;
};

function createSession(
  source: string,
  system: "oci" | "http",
  options: FetchDescriptorOptions,
  registry?: { repository: string; isPlainHttpAllowed: (hostname: string) => boolean },
): Session {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  let token: string | undefined;

  const fail: Session["fail"] = (message, details = {}) => new UpstreamError(system, `${source}: ${message}`, details);

  const send = async (url: string, headers: Record<string, string>): Promise<Response> => {
    try {
      return await fetchImpl(url, { headers, signal: controller.signal, redirect: "follow" });
    } catch (error) {
      if (controller.signal.aborted) throw fail(`timed out after ${timeoutMs} ms (GET ${url})`, { reason: "timeout", cause: error });
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw fail(`GET ${url} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`, { reason: "unreachable", cause: error });
    }
  };

  const fetchToken = async (challenge: string): Promise<string> => {
    const parameters = parseChallenge(challenge);
    const realm = parameters.realm;
    if (!realm) throw fail(`the registry's Bearer challenge has no realm: ${challenge}`, { status: 401 });
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm);
    } catch {
      throw fail(`the registry's token realm "${realm}" is not a URL`, { status: 401 });
    }
    if (realmUrl.protocol === "http:" && !registry?.isPlainHttpAllowed(realmUrl.hostname)) {
      throw fail(`refusing to fetch a token over plain HTTP from ${realmUrl.origin}`, { status: 401 });
    }
    if (parameters.service) realmUrl.searchParams.set("service", parameters.service);
    realmUrl.searchParams.set("scope", parameters.scope ?? `repository:${registry?.repository}:pull`);
    const response = await send(realmUrl.toString(), { Accept: "application/json" });
    if (!response.ok) throw await httpError(session, response, realmUrl.toString());
    const body = await readCapped(session, response, 64 * 1024, "the token response");
    try {
      const parsed = JSON.parse(body.toString("utf8")) as { token?: unknown; access_token?: unknown };
      const value = typeof parsed.token === "string" ? parsed.token : parsed.access_token;
      if (typeof value === "string" && value.length > 0) return value;
    } catch {
      // reported below
    }
    throw fail(`the token endpoint ${realmUrl.origin}${realmUrl.pathname} returned no token`, { status: response.status });
  };

  const session: Session = {
    signal: controller.signal,
    fail,
    tooLarge: (what, limit) => fail(`${what} is larger than the ${formatBytes(limit)} limit`, { reason: "too-large" }),
    dispose: () => clearTimeout(timer),
    async request(url, init) {
      const headers = { ...init.headers, ...(token ? { Authorization: `Bearer ${token}` } : {}) };
      const response = await send(url, headers);
      const challenge = response.headers.get("www-authenticate") ?? "";
      if (response.status !== 401 || !registry || token || !/^bearer\s/i.test(challenge)) return response;
      await response.body?.cancel();
      token = await fetchToken(challenge);
      return send(url, { ...init.headers, Authorization: `Bearer ${token}` });
    },
  };
  return session;
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
export function parseChallenge(header: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const match of header.replace(/^\s*bearer\s+/i, "").matchAll(/([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
    parameters[match[1].toLowerCase()] = match[2] !== undefined ? match[2].replace(/\\(.)/g, "$1") : match[3];
  }
  return parameters;
}

async function httpError(session: Session, response: Response, url: string): Promise<UpstreamError> {
  let detail = "";
  try {
    const body = await readCapped(session, response, 16 * 1024, "the error body");
    const parsed = JSON.parse(body.toString("utf8")) as { errors?: { code?: string; message?: string }[] };
    const first = parsed.errors?.[0];
    if (first) detail = `: ${[first.code, first.message].filter(Boolean).join(": ")}`;
  } catch {
    // The status alone names the failure.
  }
  const reason = response.status === 404 ? "not-found" : response.status === 401 || response.status === 403 ? "unauthorized" : "failed";
  return session.fail(`GET ${url} returned HTTP ${response.status}${detail}`, { status: response.status, reason });
}

/** Reads a body, refusing it by Content-Length first, then by counting what actually arrives. */
async function readCapped(session: Session, response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw session.tooLarge(`${what} (${declared} bytes)`, maxBytes);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let received = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel();
        throw session.tooLarge(what, maxBytes);
      }
      chunks.push(Buffer.from(value));
    }
  } catch (error) {
    if (error instanceof UpstreamError) throw error;
    if (session.signal.aborted) throw session.fail(`timed out while reading ${what}`, { reason: "timeout", cause: error });
    throw session.fail(`reading ${what} failed: ${(error as Error).message}`, { cause: error });
  }
  return Buffer.concat(chunks);
}

function decodeUtf8(session: Session, bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes).replace(/^\uFEFF/, "");
  } catch {
    throw session.fail("the descriptor is not UTF-8 text");
  }
}

function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function formatBytes(bytes: number): string {
  return bytes % MIB === 0 ? `${bytes / MIB} MiB` : `${bytes} bytes`;
}
