/**
 * `npm run bench -- bundles`: the first-load JavaScript of every page of the production build
 * (`npx next build` first), gzip-compressed as the browser receives it, against the 250 kB budget.
 *
 * A page's first load is what its HTML makes the browser fetch: the runtime chunks every page
 * shares (`build-manifest.json` → `rootMainFiles`) and the entry chunks of the page and of each
 * layout above it (the page's `server/app/<page>_client-reference-manifest.js` → `entryJSFiles`).
 * That is how Next 16 itself counts "First Load JS" for Turbopack builds (next/dist/build/
 * route-bundle-stats.js, which writes `.next/diagnostics/route-bundle-stats.json`); the
 * `nomodule` polyfills are left out because modern browsers do not download them. Pages are read
 * from `server/app-paths-manifest.json`, so new pages are measured without listing them here.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { printTable, type Benchmark } from "./table";

/** The budget: each page's first-load JavaScript, gzip. */
export const FIRST_LOAD_BUDGET_BYTES = 250_000;

export type RouteBundle = {
  /** The URL path ("/graphs/[name]"). */
  route: string;
  /** The app path the manifests use ("/(console)/graphs/[name]/page"). */
  appPath: string;
  /** Build-relative chunk paths ("static/chunks/…js"), shared ones included. */
  chunks: string[];
  rawBytes: number;
  gzipBytes: number;
};

export type BundleReport = { routes: RouteBundle[]; shared: { chunks: string[]; rawBytes: number; gzipBytes: number } };

type ClientReferenceManifest = { entryJSFiles?: Record<string, string[]> };

/** "/(console)/graphs/[name]/page" → "/graphs/[name]": route groups and parallel slots are not in the URL. */
export function routeOfAppPath(appPath: string): string {
  const segments = appPath.split("/").filter((segment) => segment !== "" && !(segment.startsWith("(") && segment.endsWith(")")) && !segment.startsWith("@"));
  if (segments.at(-1) === "page") segments.pop();
  return `/${segments.join("/")}`;
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** The manifest is a script assigning `globalThis.__RSC_MANIFEST[appPath]`: run it in an empty context, not in this process's globals. */
function readEntryJsFiles(distDir: string, appPath: string): string[] {
  const file = path.join(distDir, "server", "app", `${appPath}_client-reference-manifest.js`);
  const context: { __RSC_MANIFEST?: Record<string, ClientReferenceManifest> } = {};
  runInNewContext(readFileSync(file, "utf8"), context, { filename: file });
  const manifest = context.__RSC_MANIFEST?.[appPath];
  if (!manifest?.entryJSFiles) throw new Error(`${file} has no entryJSFiles for ${appPath}: is this a Next 16 Turbopack build?`);
  return Object.values(manifest.entryJSFiles).flat();
}

/** Measures every page of the build in `distDir` (the `.next` folder). */
export function measureRouteBundles(distDir: string): BundleReport {
  const appPaths = Object.keys(readJson<Record<string, string>>(path.join(distDir, "server", "app-paths-manifest.json"))).filter((appPath) => appPath.endsWith("/page"));
  const buildManifest = readJson<{ rootMainFiles?: string[] }>(path.join(distDir, "build-manifest.json"));
  const sizes = new Map<string, { raw: number; gzip: number }>();
  const sizeOf = (chunk: string) => {
    let size = sizes.get(chunk);
    if (!size) {
      const content = readFileSync(path.join(distDir, chunk));
      size = { raw: content.length, gzip: gzipSync(content).length };
      sizes.set(chunk, size);
    }
    return size;
  };
  const total = (chunks: string[]) => chunks.reduce((sum, chunk) => ({ raw: sum.raw + sizeOf(chunk).raw, gzip: sum.gzip + sizeOf(chunk).gzip }), { raw: 0, gzip: 0 });

  const sharedChunks = (buildManifest.rootMainFiles ?? []).filter((chunk) => chunk.endsWith(".js"));
  const routes = appPaths.map((appPath): RouteBundle => {
    const chunks = [...new Set([...readEntryJsFiles(distDir, appPath).filter((chunk) => chunk.endsWith(".js")), ...sharedChunks])];
    const size = total(chunks);
    return { route: routeOfAppPath(appPath), appPath, chunks, rawBytes: size.raw, gzipBytes: size.gzip };
  });
  routes.sort((a, b) => a.route.localeCompare(b.route));
  const shared = total(sharedChunks);
  return { routes, shared: { chunks: sharedChunks, rawBytes: shared.raw, gzipBytes: shared.gzip } };
}

/** Routes whose chunk list differs from the one Next wrote itself, when it did (a check that both count the same files). */
export function disagreementsWithNext(distDir: string, report: BundleReport): string[] {
  const file = path.join(distDir, "diagnostics", "route-bundle-stats.json");
  if (!existsSync(file)) return [];
  const theirs = readJson<{ route: string; firstLoadChunkPaths: string[] }[]>(file);
  const problems: string[] = [];
  for (const row of report.routes) {
    const other = theirs.find((entry) => entry.route === row.route);
    if (!other) continue;
    // Next lists them relative to the project ("…/.next/static/chunks/x.js"); compare the build-relative tails.
    const mine = new Set(row.chunks);
    const nexts = new Set(other.firstLoadChunkPaths.map((chunk) => chunk.slice(chunk.indexOf("static/"))));
    if (mine.size !== nexts.size || [...mine].some((chunk) => !nexts.has(chunk))) problems.push(row.route);
  }
  return problems;
}

const kB = (bytes: number) => (bytes / 1000).toFixed(1);

export const bundlesBenchmark: Benchmark = {
  name: "bundles",
  summary: "first-load JavaScript per page of the production build (.next), gzip, against the 250 kB budget",
  run: async () => {
    const distDir = fileURLToPath(new URL("../.next/", import.meta.url));
    if (!existsSync(path.join(distDir, "server", "app-paths-manifest.json"))) {
      console.log("\nNo production build in .next: run `npx next build` first, then `npm run bench -- bundles`.");
      process.exitCode = 1;
      return;
    }
    const report = measureRouteBundles(distDir);
    const over = report.routes.filter((row) => row.gzipBytes > FIRST_LOAD_BUDGET_BYTES);
    printTable(
      `First-load JS per page (shared by all: ${report.shared.chunks.length} chunks, ${kB(report.shared.gzipBytes)} kB gzip)`,
      ["route", "chunks", "raw kB", "gzip kB", "beyond runtime gzip kB", `≤ ${FIRST_LOAD_BUDGET_BYTES / 1000} kB`],
      report.routes.map((row) => [
        row.route,
        row.chunks.length,
        kB(row.rawBytes),
        kB(row.gzipBytes),
        kB(row.gzipBytes - report.shared.gzipBytes),
        row.gzipBytes > FIRST_LOAD_BUDGET_BYTES ? "OVER" : "ok",
      ]),
    );
    const mismatched = disagreementsWithNext(distDir, report);
    if (mismatched.length) console.log(`\nNote: Next's own route-bundle-stats.json lists other chunks for ${mismatched.join(", ")}.`);
    if (over.length) {
      console.log(`\n${over.length} page(s) over the ${FIRST_LOAD_BUDGET_BYTES / 1000} kB budget: ${over.map((row) => row.route).join(", ")}.`);
      process.exitCode = 1;
    }
  },
};
