/**
 * fetchDescriptorText against small node:http servers that misbehave on purpose (the real
 * registry round trip is in sim/oci/registry.test.ts).
 */

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { UpstreamError, ValidationError } from "../errors";
import { fetchDescriptorText, parseChallenge } from "./fetch";
import { isLoopbackHost, parseOciReference } from "./reference";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

let server: Server | undefined;

async function serve(handler: Handler): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function upstreamErrorOf(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

const digestOf = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

describe("fetchDescriptorText over http(s)://", () => {
  it("returns the body with its digest", async () => {
    const host = await serve((_request, response) => response.writeHead(200, { "Content-Type": "application/yaml" }).end("hdaGraph: {id: web}\n"));
    const fetched = await fetchDescriptorText(`http://${host}/graph.yaml`);
    expect(fetched).toEqual({ text: "hdaGraph: {id: web}\n", source: `http://${host}/graph.yaml`, digest: digestOf(Buffer.from("hdaGraph: {id: web}\n")) });
  });

  it("names the URL and the status on an HTTP error", async () => {
    const host = await serve((_request, response) => response.writeHead(404).end("nope"));
    const error = await upstreamErrorOf(fetchDescriptorText(`http://${host}/missing.yaml`));
    expect(error.system).toBe("http");
    expect(error.details.status).toBe(404);
    expect(error.message).toBe(`http: http://${host}/missing.yaml: GET http://${host}/missing.yaml returned HTTP 404`);
  });

  it("refuses by Content-Length before reading, and by counting when the length is not announced", async () => {
    let written = 0;
    const host = await serve((request, response) => {
      if (request.url === "/declared") {
        response.writeHead(200, { "Content-Length": String(5 * 1024 * 1024) });
        response.write(Buffer.alloc(1024));
        return; // never finishes: the client must not wait for the rest
      }
      response.writeHead(200); // chunked, no length
      const chunk = Buffer.alloc(64 * 1024, "a");
      const pump = () => {
        while (written < 8 * 1024 * 1024 && response.write(chunk)) written += chunk.length;
        if (written < 8 * 1024 * 1024) response.once("drain", pump);
        else response.end();
      };
      pump();
    });
    const declared = await upstreamErrorOf(fetchDescriptorText(`http://${host}/declared`));
    expect(declared.message).toMatch(/\(5242880 bytes\) is larger than the 1 MiB limit/);
    const streamed = await upstreamErrorOf(fetchDescriptorText(`http://${host}/streamed`));
    expect(streamed.details.reason).toBe("too-large");
    expect(written).toBeLessThan(8 * 1024 * 1024);
  });

  it("times out a server that never answers", async () => {
    const host = await serve(() => undefined);
    const error = await upstreamErrorOf(fetchDescriptorText(`http://${host}/slow.yaml`, { timeoutMs: 200 }));
    expect(error.details.reason).toBe("timeout");
    expect(error.message).toContain("timed out after 200 ms");
  });

  it("rejects text that is not UTF-8", async () => {
    const host = await serve((_request, response) => response.writeHead(200).end(Buffer.from([0xff, 0xfe, 0x00, 0x41])));
    expect((await upstreamErrorOf(fetchDescriptorText(`http://${host}/latin1.yaml`))).message).toContain("not UTF-8");
  });
});

describe("fetchDescriptorText over oci:// (hand-made registry)", () => {
  /** A registry serving one manifest whose layer is `layer`, optionally announcing another digest. */
  async function serveRegistry(options: { layer: Buffer; announcedDigest?: string; mediaType?: string; challenge?: string }): Promise<string> {
    const digest = options.announcedDigest ?? digestOf(options.layer);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.empty.v1+json", digest: digestOf(Buffer.from("{}")), size: 2 },
        layers: [{ mediaType: options.mediaType ?? "application/yaml", digest, size: options.layer.length }],
      }),
    );
    return serve((request, response) => {
      if (options.challenge) {
        response.writeHead(401, { "WWW-Authenticate": options.challenge }).end();
        return;
      }
      // Serves the manifest under any tag or digest, as a compromised or buggy registry might.
      if (request.url?.startsWith("/v2/repo/graph/manifests/")) response.writeHead(200, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" }).end(manifest);
      else if (request.url === `/v2/repo/graph/blobs/${digest}`) response.writeHead(200).end(options.layer);
      else response.writeHead(404).end(JSON.stringify({ errors: [{ code: "NAME_UNKNOWN", message: "repository name not known to registry" }] }));
    });
  }

  it("verifies the layer's digest", async () => {
    const host = await serveRegistry({ layer: Buffer.from("hdaGraph: {}\n"), announcedDigest: digestOf(Buffer.from("something else")) });
    expect((await upstreamErrorOf(fetchDescriptorText(`oci://${host}/repo/graph:v1`))).message).toMatch(/does not match its digest/);
  });

  it("checks a digest reference against the manifest it receives", async () => {
    const host = await serveRegistry({ layer: Buffer.from("hdaGraph: {}\n") });
    const wrong = `sha256:${"0".repeat(64)}`;
    expect((await upstreamErrorOf(fetchDescriptorText(`oci://${host}/repo/graph@${wrong}`))).message).toContain(`the manifest's content does not match its digest ${wrong}`);
  });

  it("explains a Basic-auth registry and a challenge without realm", async () => {
    const basic = await serveRegistry({ layer: Buffer.alloc(0), challenge: 'Basic realm="registry"' });
    expect((await upstreamErrorOf(fetchDescriptorText(`oci://${basic}/repo/graph:v1`))).details.status).toBe(401);
    await new Promise((resolve) => server!.close(resolve));
    const noRealm = await serveRegistry({ layer: Buffer.alloc(0), challenge: 'Bearer service="x"' });
    expect((await upstreamErrorOf(fetchDescriptorText(`oci://${noRealm}/repo/graph:v1`))).message).toContain("has no realm");
  });

  it("refuses plain HTTP to a registry that is not on loopback unless allowed", async () => {
    const calls: string[] = [];
    const recordingFetch = (async (input: string | URL | Request) => {
      calls.push(String(input));
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    const error = await upstreamErrorOf(fetchDescriptorText("oci://registry.example.com/x/y:1", { fetch: recordingFetch }));
    expect(error.details.reason).toBe("unreachable");
    expect(calls[0]).toBe("https://registry.example.com/v2/x/y/manifests/1");
    await upstreamErrorOf(fetchDescriptorText("oci://registry.example.com/x/y:1", { fetch: recordingFetch, plainHttpHosts: (host) => host === "registry.example.com" }));
    expect(calls[1]).toBe("http://registry.example.com/v2/x/y/manifests/1");
  });

  it("rejects malformed references before any request", async () => {
    for (const bad of ["oci://", "oci://host", "oci://host/UPPER:tag", "oci://host/x@sha256:short", "ftp://x/y", "oci://host/x:bad tag", "", "graph.yaml"]) {
      await expect(fetchDescriptorText(bad), bad).rejects.toBeInstanceOf(ValidationError);
    }
  });
});

describe("OCI references", () => {
  it("parses registry, repository and tag or digest", () => {
    expect(parseOciReference("oci://127.0.0.1:5000/test/image-detection-graph")).toEqual({
      registry: "127.0.0.1:5000",
      hostname: "127.0.0.1",
      repository: "test/image-detection-graph",
      reference: "latest",
      isDigest: false,
    });
    expect(parseOciReference("oci://[::1]:5000/a/b:v1.2")).toMatchObject({ hostname: "::1", repository: "a/b", reference: "v1.2" });
    const digest = `sha256:${"ab".repeat(32)}`;
    expect(parseOciReference(`oci://reg.example/a@${digest}`)).toMatchObject({ reference: digest, isDigest: true });
  });

  it("knows loopback hosts", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]", "api.localhost"]) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ["128.0.0.1", "10.0.0.1", "example.com", "localhost.example.com", "127.0.0.256", "::2"]) expect(isLoopbackHost(host), host).toBe(false);
  });

  it("reads Bearer challenges", () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"')).toEqual({
      realm: "https://auth.example/token",
      service: "registry.example",
      scope: "repository:a/b:pull",
    });
  });
});
