/**
 * fetchDescriptorText against a real OCI registry (Debian's docker-registry), with artifacts
 * pushed by pushDescriptorArtifact, and behind a token-demanding front for the bearer flow.
 */

import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "../../lib/errors";
import { fetchDescriptorText } from "../../lib/oci/fetch";
import { OCI_LAYER_TAR_GZIP } from "../../lib/oci/media-types";
import { createTarGz, pushArtifact, pushDescriptorArtifact, pushIndex } from "./push";
import { isDockerRegistryInstalled, startDockerRegistry, type LocalRegistry } from "./registry";

const SAMPLE = readFileSync(new URL("../../examples/hdag/image-detection-graph.yaml", import.meta.url), "utf8");
const hasRegistry = isDockerRegistryInstalled();
if (!hasRegistry) console.warn("skipping OCI registry tests: /usr/bin/docker-registry is not installed (Debian package docker-registry)");

async function expectUpstream(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error("expected an UpstreamError");
}

describe.skipIf(!hasRegistry)("OCI descriptor artifacts on docker-registry", () => {
  let registry: LocalRegistry;

  beforeAll(async () => {
    registry = await startDockerRegistry();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it("pushes an HDAR artifact and fetches the same text back by tag and by digest", async () => {
    const pushed = await pushDescriptorArtifact({ registryUrl: registry.url, repository: "test/image-detection-graph", tag: "1.0.0", yamlText: SAMPLE, fileName: "hdag.yaml" });
    expect(pushed.reference).toBe(`oci://${registry.host}/test/image-detection-graph:1.0.0`);

    const byTag = await fetchDescriptorText(pushed.reference);
    expect(byTag.text).toBe(SAMPLE);
    expect(byTag.digest).toBe(pushed.digest);
    expect(byTag.source).toBe(pushed.reference);

    const byDigest = await fetchDescriptorText(`oci://${registry.host}/test/image-detection-graph@${pushed.digest}`);
    expect(byDigest.text).toBe(SAMPLE);

    // The manifest the registry serves is the HDAR artifact we meant to push.
    const manifest = (await (
      await fetch(`${registry.url}/v2/test/image-detection-graph/manifests/1.0.0`, { headers: { Accept: "application/vnd.oci.image.manifest.v1+json" } })
    ).json()) as { artifactType: string; layers: { mediaType: string }[] };
    expect(manifest.artifactType).toBe("application/vnd.nephele.hdar.v1+json");
    expect(manifest.layers[0].mediaType).toBe(OCI_LAYER_TAR_GZIP);
  });

  it("defaults to the latest tag and follows an image index to its first manifest", async () => {
    const first = await pushDescriptorArtifact({ registryUrl: registry.url, repository: "test/indexed", tag: "latest", yamlText: "hdaGraph:\n  id: first\n", fileName: "a.yml" });
    const second = await pushDescriptorArtifact({ registryUrl: registry.url, repository: "test/indexed", tag: "second", yamlText: "hdaGraph:\n  id: second\n", fileName: "b.yml" });
    expect((await fetchDescriptorText(`oci://${registry.host}/test/indexed`)).text).toBe("hdaGraph:\n  id: first\n");

    const sizeOf = async (digest: string) =>
      Number((await fetch(`${registry.url}/v2/test/indexed/manifests/${digest}`, { method: "HEAD", headers: { Accept: "application/vnd.oci.image.manifest.v1+json" } })).headers.get("content-length"));
    await pushIndex({
      registryUrl: registry.url,
      repository: "test/indexed",
      tag: "multi",
      manifests: [
        { digest: second.digest, size: await sizeOf(second.digest) },
        { digest: first.digest, size: await sizeOf(first.digest) },
      ],
    });
    expect((await fetchDescriptorText(`oci://${registry.host}/test/indexed:multi`)).text).toBe("hdaGraph:\n  id: second\n");
  });

  it("accepts a plain YAML layer", async () => {
    await pushArtifact({ registryUrl: registry.url, repository: "test/plain", tag: "v1", layers: [{ mediaType: "application/yaml", bytes: Buffer.from("hdaGraph: {id: plain}\n") }] });
    expect((await fetchDescriptorText(`oci://${registry.host}/test/plain:v1`)).text).toBe("hdaGraph: {id: plain}\n");
  });

  it("reports a missing tag as an UpstreamError naming the reference and the 404", async () => {
    const reference = `oci://${registry.host}/test/image-detection-graph:9.9.9`;
    const error = await expectUpstream(fetchDescriptorText(reference));
    expect(error.system).toBe("oci");
    expect(error.details.status).toBe(404);
    expect(error.message).toContain(reference);
    expect(error.message).toMatch(/HTTP 404: MANIFEST_UNKNOWN/);
  });

  it("rejects a descriptor larger than the cap", async () => {
    // Repetitive YAML compresses to a few KiB: the extracted file's size is what trips the cap.
    const huge = `hdaGraph:\n  description: "${"x".repeat(1024 * 1024 + 10)}"\n`;
    const pushed = await pushDescriptorArtifact({ registryUrl: registry.url, repository: "test/huge", tag: "v1", yamlText: huge, fileName: "hdag.yaml" });
    const error = await expectUpstream(fetchDescriptorText(pushed.reference));
    expect(error.details.reason).toBe("too-large");
    expect(error.message).toMatch(/hdag\.yaml .*larger than the 1 MiB limit/);
    // A smaller cap applies to the compressed layer too, checked from the manifest before download.
    const small = await expectUpstream(fetchDescriptorText(pushed.reference, { maxBytes: 1024 }));
    expect(small.message).toMatch(/the layer sha256:[a-f0-9]+ \(\d+ bytes\) is larger than the 1024 bytes limit/);
  });

  it("stops a gzip bomb with the decompression counter", async () => {
    // 64 MiB of zeros in a non-descriptor entry: ~64 KiB compressed; inflating it whole would take 64 MiB.
    const bomb = await createTarGz([{ name: "padding.bin", content: Buffer.alloc(64 * 1024 * 1024) }, { name: "hdag.yaml", content: Buffer.from("hdaGraph: {}\n") }]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const pushed = await pushArtifact({ registryUrl: registry.url, repository: "test/bomb", tag: "v1", layers: [{ mediaType: OCI_LAYER_TAR_GZIP, bytes: bomb }] });
    const before = process.memoryUsage().arrayBuffers;
    const error = await expectUpstream(fetchDescriptorText(pushed.reference));
    expect(error.details.reason).toBe("too-large");
    expect(error.message).toContain("the layer's uncompressed content is larger than");
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * 1024 * 1024);
  });

  it("rejects a layer that is gzip but not a tarball, and a layer whose bytes do not match its digest", async () => {
    const notTar = await pushArtifact({ registryUrl: registry.url, repository: "test/nottar", tag: "v1", layers: [{ mediaType: OCI_LAYER_TAR_GZIP, bytes: gzipSync(Buffer.from("hdaGraph: {}\n")) }] });
    expect((await expectUpstream(fetchDescriptorText(notTar.reference))).message).toMatch(/not a readable tar\.gz archive|holds no \.yaml/);
  });

  describe("behind a registry that demands an anonymous bearer token", () => {
    let front: Server;
    let frontHost: string;
    const tokenRequests: URLSearchParams[] = [];
    const authorizations: (string | undefined)[] = [];

    beforeAll(async () => {
      await pushDescriptorArtifact({ registryUrl: registry.url, repository: "secure/graph", tag: "v1", yamlText: SAMPLE, fileName: "hdag.yaml" });
      front = createServer((request: IncomingMessage, response: ServerResponse) => {
        const url = new URL(request.url ?? "/", "http://front");
        if (url.pathname === "/token") {
          tokenRequests.push(url.searchParams);
          response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ token: "anonymous-pull-token", expires_in: 300 }));
          return;
        }
        authorizations.push(request.headers.authorization);
        if (request.headers.authorization !== "Bearer anonymous-pull-token") {
          response
            .writeHead(401, {
              "Content-Type": "application/json",
              "WWW-Authenticate": `Bearer realm="http://${frontHost}/token",service="front.test",scope="repository:secure/graph:pull"`,
            })
            .end(JSON.stringify({ errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] }));
          return;
        }
        // Authorised: proxy to the real registry.
        void fetch(`${registry.url}${url.pathname}${url.search}`, { headers: { Accept: request.headers.accept ?? "*/*" } }).then(async (upstream) => {
          const headers: Record<string, string> = {};
          for (const name of ["content-type", "docker-content-digest"]) {
            const value = upstream.headers.get(name);
            if (value) headers[name] = value;
          }
          response.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
        });
      });
      await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
      frontHost = `127.0.0.1:${(front.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => front?.close(resolve));
    });

    it("obtains a token from the realm with service and scope, and uses it for manifest and blob", async () => {
      const fetched = await fetchDescriptorText(`oci://${frontHost}/secure/graph:v1`);
      expect(fetched.text).toBe(SAMPLE);
      expect(tokenRequests).toHaveLength(1);
      expect(tokenRequests[0].get("service")).toBe("front.test");
      expect(tokenRequests[0].get("scope")).toBe("repository:secure/graph:pull");
      // First attempt without a token, then manifest and blob with it.
      expect(authorizations).toEqual([undefined, "Bearer anonymous-pull-token", "Bearer anonymous-pull-token"]);
    });
  });
});
