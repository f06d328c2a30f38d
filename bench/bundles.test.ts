import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { disagreementsWithNext, measureRouteBundles, routeOfAppPath } from "./bundles";

/** A minimal `.next` folder laid out like a Next 16 Turbopack build. */
function fakeBuild(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "smo-bundles-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function referenceManifest(appPath: string, entryJSFiles: Record<string, string[]>): string {
  return `globalThis.__RSC_MANIFEST = globalThis.__RSC_MANIFEST || {};\nglobalThis.__RSC_MANIFEST[${JSON.stringify(appPath)}] = ${JSON.stringify({ clientModules: {}, entryJSFiles, entryCSSFiles: {} })};`;
}

const chunk = (seed: string, length: number) => Array.from({ length }, (_, index) => `${seed}${index % 97};`).join("");

describe("bundles benchmark", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("names routes as URLs: route groups, parallel slots and the page segment are not in them", () => {
    expect(routeOfAppPath("/(console)/page")).toBe("/");
    expect(routeOfAppPath("/(console)/graphs/[name]/page")).toBe("/graphs/[name]");
    expect(routeOfAppPath("/(console)/settings/@modal/tokens/page")).toBe("/settings/tokens");
    expect(routeOfAppPath("/sign-in/page")).toBe("/sign-in");
  });

  it("counts each page's entry chunks and the shared runtime once, gzip, and skips route handlers", () => {
    const files = {
      "static/chunks/runtime.js": chunk("runtime", 4_000),
      "static/chunks/layout.js": chunk("layout", 3_000),
      "static/chunks/settings.js": chunk("settings", 2_000),
      "static/chunks/style.css": "body{}",
    };
    const dir = fakeBuild({
      ...files,
      "build-manifest.json": JSON.stringify({ rootMainFiles: ["static/chunks/runtime.js"], polyfillFiles: ["static/chunks/polyfill.js"] }),
      "server/app-paths-manifest.json": JSON.stringify({ "/(console)/page": "app/(console)/page.js", "/(console)/settings/page": "x", "/api/health/route": "y" }),
      "server/app/(console)/page_client-reference-manifest.js": referenceManifest("/(console)/page", {
        "[project]/app/layout": ["static/chunks/layout.js", "static/chunks/style.css"],
        "[project]/app/(console)/page": ["static/chunks/layout.js"],
      }),
      "server/app/(console)/settings/page_client-reference-manifest.js": referenceManifest("/(console)/settings/page", {
        "[project]/app/layout": ["static/chunks/layout.js"],
        "[project]/app/(console)/settings/page": ["static/chunks/layout.js", "static/chunks/settings.js"],
      }),
    });
    dirs.push(dir);
    const gz = (name: keyof typeof files) => gzipSync(files[name]).length;

    const report = measureRouteBundles(dir);
    expect(report.shared).toEqual({ chunks: ["static/chunks/runtime.js"], rawBytes: files["static/chunks/runtime.js"].length, gzipBytes: gz("static/chunks/runtime.js") });
    expect(report.routes.map((row) => [row.route, row.chunks.toSorted(), row.gzipBytes])).toEqual([
      ["/", ["static/chunks/layout.js", "static/chunks/runtime.js"], gz("static/chunks/layout.js") + gz("static/chunks/runtime.js")],
      ["/settings", ["static/chunks/layout.js", "static/chunks/runtime.js", "static/chunks/settings.js"], gz("static/chunks/layout.js") + gz("static/chunks/runtime.js") + gz("static/chunks/settings.js")],
    ]);
  });

  it("says which routes Next's own route-bundle-stats.json counts differently", () => {
    const dir = fakeBuild({
      "static/chunks/a.js": "a();",
      "static/chunks/b.js": "b();",
      "build-manifest.json": JSON.stringify({ rootMainFiles: ["static/chunks/a.js"] }),
      "server/app-paths-manifest.json": JSON.stringify({ "/one/page": "x", "/two/page": "y" }),
      "server/app/one/page_client-reference-manifest.js": referenceManifest("/one/page", { "[project]/app/one/page": ["static/chunks/b.js"] }),
      "server/app/two/page_client-reference-manifest.js": referenceManifest("/two/page", { "[project]/app/two/page": ["static/chunks/b.js"] }),
      "diagnostics/route-bundle-stats.json": JSON.stringify([
        { route: "/one", firstLoadChunkPaths: [".next/static/chunks/b.js", ".next/static/chunks/a.js"] },
        { route: "/two", firstLoadChunkPaths: [".next/static/chunks/a.js"] },
      ]),
    });
    dirs.push(dir);
    expect(disagreementsWithNext(dir, measureRouteBundles(dir))).toEqual(["/two"]);
  });

  it("refuses a manifest without entry files rather than counting nothing", () => {
    const dir = fakeBuild({
      "build-manifest.json": JSON.stringify({ rootMainFiles: [] }),
      "server/app-paths-manifest.json": JSON.stringify({ "/old/page": "x" }),
      "server/app/old/page_client-reference-manifest.js": `globalThis.__RSC_MANIFEST = { "/old/page": { clientModules: {} } };`,
    });
    dirs.push(dir);
    expect(() => measureRouteBundles(dir)).toThrow(/no entryJSFiles for \/old\/page/);
  });
});
