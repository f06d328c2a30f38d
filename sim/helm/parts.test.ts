/** The sandbox helm's parts: flag parsing, chart lookup, rendering, patches, storage format, output formats. */

import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { CliUsageError, GLOBAL_FLAGS, parseFlags, splitCommand, type FlagSpec } from "./args";
import { ChartLocateError, locateChart } from "./charts";
import { createMergePatch } from "./cli";
import { formatAnsic, formatGoTime, formatTable } from "./format";
import { decodeReleaseSecret, encodeReleaseSecret, type StoredRelease } from "./release";
import { renderChart } from "./render";
import { parseSetPairs } from "./values";

const FLAGS: FlagSpec[] = [
  ...GLOBAL_FLAGS,
  { name: "values", shorthand: "f", kind: "stringArray" },
  { name: "create-namespace", kind: "bool" },
  { name: "install", shorthand: "i", kind: "bool" },
  { name: "output", shorthand: "o", kind: "string" },
];

describe("flag parsing (pflag semantics)", () => {
  it("accepts interspersed flags in every spelling", () => {
    const { flags, positionals } = parseFlags(["web", "-n", "demo", "--values=a.yaml", "-f", "b.yaml", "-fc.yaml", "chart", "--create-namespace", "-io=json", "--kubeconfig", "/k"], FLAGS);
    expect(positionals).toEqual(["web", "chart"]);
    expect(flags.strings.get("namespace")).toBe("demo");
    expect(flags.arrays.get("values")).toEqual(["a.yaml", "b.yaml", "c.yaml"]);
    expect(flags.bools.get("create-namespace")).toBe(true);
    expect(flags.bools.get("install")).toBe(true);
    expect(flags.strings.get("output")).toBe("json");
    expect(flags.strings.get("kubeconfig")).toBe("/k");
  });

  it("takes the next argument as a flag's value even when it starts with '-', and stops at --", () => {
    const { flags, positionals } = parseFlags(["--namespace", "-x", "--", "--not-a-flag"], FLAGS);
    expect(flags.strings.get("namespace")).toBe("-x");
    expect(positionals).toEqual(["--not-a-flag"]);
    expect(parseFlags(["--create-namespace=false"], FLAGS).flags.bools.get("create-namespace")).toBe(false);
  });

  it("words errors like cobra", () => {
    const message = (args: string[]) => {
      try {
        parseFlags(args, FLAGS);
      } catch (error) {
        expect(error).toBeInstanceOf(CliUsageError);
        return (error as Error).message;
      }
      return "no error";
    };
    expect(message(["--reuse-values"])).toBe("unknown flag: --reuse-values");
    expect(message(["-z"])).toBe("unknown shorthand flag: 'z' in -z");
    expect(message(["--namespace"])).toBe("flag needs an argument: --namespace");
    expect(message(["-n"])).toBe("flag needs an argument: 'n' in -n");
    expect(message(["--create-namespace=maybe"])).toMatch(/^invalid argument "maybe" for "--create-namespace" flag/);
  });

  it("finds the command path past global flags", () => {
    const known = [["install"], ["get", "values"], ["get"]];
    const isPrefix = (path: string[]) => known.some((command) => path.every((word, index) => command[index] === word));
    expect(splitCommand(["-n", "demo", "get", "values", "web", "-o", "json"], isPrefix)).toEqual({ path: ["get", "values"], rest: ["-n", "demo", "web", "-o", "json"] });
    expect(splitCommand(["--kubeconfig", "install", "install", "web"], isPrefix)).toEqual({ path: ["install"], rest: ["--kubeconfig", "install", "web"] });
    expect(splitCommand(["web", "install"], isPrefix).path).toEqual([]);
  });

  it("parses --set pairs with helm's typing", () => {
    expect(parseSetPairs("replicas=3,a.b=c,on=true,none=null,zip=007")).toEqual({ replicas: 3, a: { b: "c" }, on: true, none: null, zip: "007" });
    expect(() => parseSetPairs("__proto__.x=1")).toThrow(/not allowed/);
  });
});

describe("chart lookup", () => {
  it("installs anything under the sandbox registry, named after the last segment", () => {
    expect(locateChart("oci://127.0.0.1:5000/test/noise-reduction", { plainHttp: false })).toEqual({ name: "noise-reduction", version: "0.1.0" });
    expect(locateChart("oci://localhost:5000/demo2/ml-inference:1.2.3", { plainHttp: true })).toEqual({ name: "ml-inference", version: "1.2.3" });
    expect(locateChart("oci://127.0.0.1:5000/a/b", { version: "2.0.0", plainHttp: false }).version).toBe("2.0.0");
  });

  it("fails like helm for registries it cannot reach and paths that do not exist", () => {
    const message = (reference: string, plainHttp = false, version?: string) => {
      try {
        locateChart(reference, { plainHttp, version });
      } catch (error) {
        expect(error).toBeInstanceOf(ChartLocateError);
        return (error as Error).message;
      }
      return "found";
    };
    expect(message("oci://charts.example.com/team/web:1.0.0")).toBe(
      'failed to do request: Head "https://charts.example.com/v2/team/web/manifests/1.0.0": dial tcp: lookup charts.example.com: no such host',
    );
    expect(message("oci://charts.example.com/team/web")).toBe('Get "https://charts.example.com/v2/team/web/tags/list": dial tcp: lookup charts.example.com: no such host');
    expect(message("oci://127.0.0.1:5001/team/web:1.0.0", true)).toBe(
      'failed to do request: Head "http://127.0.0.1:5001/v2/team/web/manifests/1.0.0": dial tcp 127.0.0.1:5001: connect: connection refused',
    );
    expect(message("./nope")).toBe('path "./nope" not found');
    expect(message("bitnami/nginx")).toBe("repo bitnami not found");
  });
});

/** Rendered objects are read loosely here, as JSON of any shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

describe("rendering", () => {
  const render = (values: Record<string, unknown>, chart = "noise-reduction") => renderChart({ release: "web", namespace: "demo", chart: { name: chart, version: "0.1.0" }, values });
  const find = (objects: ReturnType<typeof render>, kind: string, name = "web") => objects.find((entry) => entry.object.kind === kind && entry.object.metadata.name === name)?.object as Json;

  it("renders Service, Deployment and a PropagationPolicy on clustersAffinity, in helm's install order", () => {
    const objects = render({ clustersAffinity: ["paris"], replicaCount: 2 });
    expect(objects.map((entry) => entry.object.kind)).toEqual(["Service", "Deployment", "PropagationPolicy"]);
    const deployment = find(objects, "Deployment");
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.metadata.labels).toMatchObject({ "app.kubernetes.io/name": "noise-reduction", "app.kubernetes.io/instance": "web", "app.kubernetes.io/managed-by": "Helm" });
    expect(deployment.metadata.annotations).toEqual({ "meta.helm.sh/release-name": "web", "meta.helm.sh/release-namespace": "demo" });
    expect(deployment.spec.template.spec.containers[0].resources).toEqual({ requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } });
    expect(find(objects, "PropagationPolicy").spec.placement.clusterAffinity).toEqual({ clusterNames: ["paris"] });
  });

  it("takes resources and replicas from the values, and placement from voChartOverwrite for WOT charts", () => {
    const objects = render({ clustersAffinity: ["ignored"], voChartOverwrite: { clustersAffinity: ["edge"], serviceImportClusters: ["core"], replicas: 3, resources: { limits: { cpu: "500m" } } } }, "image-compression-vo");
    expect(find(objects, "PropagationPolicy").spec.placement.clusterAffinity.clusterNames).toEqual(["edge"]);
    expect(find(objects, "Deployment").spec.replicas).toBe(3);
    expect(find(objects, "Deployment").spec.template.spec.containers[0].resources).toEqual({ limits: { cpu: "500m" } });
    expect(find(objects, "PropagationPolicy", "web-import").spec.placement.clusterAffinity.clusterNames).toEqual(["core"]);
    expect(objects.map((entry) => entry.object.kind)).toEqual(["Service", "Deployment", "PropagationPolicy", "PropagationPolicy", "ServiceExport", "ServiceImport"]);
    expect(find(objects, "PropagationPolicy").spec.resourceSelectors.map((selector: { kind: string }) => selector.kind)).toEqual(["Deployment", "Service", "ServiceExport"]);
  });

  it("leaves clusterAffinity out when no cluster is given (Karmada: any cluster), and uses modest defaults", () => {
    const objects = render({}, "some-new-chart");
    expect(find(objects, "PropagationPolicy").spec.placement).not.toHaveProperty("clusterAffinity");
    expect(find(objects, "Deployment").spec.replicas).toBe(1);
    expect(find(objects, "Deployment").spec.template.spec.containers[0].resources.requests).toEqual({ cpu: "250m", memory: "256Mi" });
    expect(find(render({}, "ml-inference"), "Deployment").spec.template.spec.containers[0].resources.limits).toMatchObject({ cpu: "2", memory: "4Gi", "nvidia.com/gpu": "1" });
  });

  it("fails like a chart would on values of the wrong type", () => {
    expect(() => render({ replicas: "three" })).toThrow(/cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32/);
    expect(() => render({ clustersAffinity: "paris" })).toThrow(/expected a list of cluster names/);
  });
});

describe("three-way merge patch", () => {
  it("changes what the chart changed and leaves what others changed alone", () => {
    const previous = { spec: { replicas: 1, placement: { clusterNames: ["a"] } }, metadata: { labels: { x: "1", gone: "y" } } };
    const next = { spec: { replicas: 1, placement: { clusterNames: ["b"] } }, metadata: { labels: { x: "1" } } };
    // replicas is untouched by the patch, so a scaler's live change survives an upgrade.
    expect(createMergePatch(previous, next)).toEqual({ spec: { placement: { clusterNames: ["b"] } }, metadata: { labels: { gone: null } } });
  });
});

describe("release storage format", () => {
  const release: StoredRelease = {
    name: "web",
    namespace: "demo",
    version: 2,
    info: { first_deployed: "2025-03-04T10:30:00.000Z", last_deployed: "2025-03-04T10:35:00.000Z", deleted: "", description: "Upgrade complete", status: "deployed" },
    chart: { metadata: { apiVersion: "v2", name: "web", version: "0.1.0", appVersion: "0.1.0", type: "application" } },
    config: { replicas: 2 },
    manifest: "---\n# Source: web/templates/service.yaml\n",
  };

  it("stores releases like helm's secrets driver: base64 of base64(gzip(JSON)) in data.release", () => {
    const secret = encodeReleaseSecret(release, { createdAt: Date.parse("2025-03-04T10:35:00Z") });
    expect(secret.metadata?.name).toBe("sh.helm.release.v1.web.v2");
    expect(secret.type).toBe("helm.sh/release.v1");
    expect(secret.metadata?.labels).toEqual({ owner: "helm", name: "web", status: "deployed", version: "2", createdAt: "1741084500" });
    const decodedByHand = JSON.parse(gunzipSync(Buffer.from(Buffer.from(secret.data!.release, "base64").toString("utf8"), "base64")).toString("utf8"));
    expect(decodedByHand).toEqual(release);
    expect(decodeReleaseSecret(secret)).toEqual(release);
  });

  it("also reads plain base64 JSON payloads", () => {
    const plain = Buffer.from(Buffer.from(JSON.stringify(release)).toString("base64")).toString("base64");
    expect(decodeReleaseSecret({ metadata: { name: "x" }, data: { release: plain } })).toEqual(release);
  });
});

describe("output formats", () => {
  it("prints Go time layouts and uitable tables", () => {
    expect(formatGoTime("2025-03-04T10:30:00.120Z")).toBe("2025-03-04 10:30:00.12 +0000 UTC");
    expect(formatGoTime("2025-03-04T10:30:00.000Z")).toBe("2025-03-04 10:30:00 +0000 UTC");
    expect(formatAnsic("2025-03-04T10:30:00Z")).toMatch(/^(Mon|Tue|Wed) Mar {1,2}\d{1,2} \d\d:\d\d:00 2025$/);
    expect(formatTable([["NAME", "REVISION"], ["web", "1"]])).toBe("NAME\tREVISION\nweb \t1       \n");
  });
});

describe("the cached bundle of sim/helm/helm", () => {
  it("is built only from the sources its staleness check watches (sim/helm, lib/helm, lib/errors.ts)", async () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const folder = await mkdtemp(join(tmpdir(), "smo-helm-bundle-"));
    try {
      await new Promise<void>((resolve, reject) =>
        execFile(
          join(root, "node_modules/.bin/esbuild"),
          ["sim/helm/main.ts", "--bundle", "--platform=node", "--format=esm", `--outfile=${join(folder, "out.mjs")}`, `--metafile=${join(folder, "meta.json")}`, "--log-level=error"],
          { cwd: root },
          (error) => (error ? reject(error) : resolve()),
        ),
      );
      const meta = JSON.parse(await readFile(join(folder, "meta.json"), "utf8")) as { inputs: Record<string, unknown> };
      const ownSources = Object.keys(meta.inputs).filter((input) => !input.startsWith("node_modules/"));
      expect(ownSources.length).toBeGreaterThan(5);
      expect(ownSources.filter((input) => !/^(sim\/helm\/|lib\/helm\/|lib\/errors\.ts$)/.test(input))).toEqual([]);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
