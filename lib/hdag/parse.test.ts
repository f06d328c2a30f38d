import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import { parse as parseYamlText, stringify as stringifyYaml } from "yaml";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { computeSpread, parseHdag } from "./parse";
import type { Hdag } from "./types";
import type { LocatedIssue } from "./yaml";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const SAMPLES = fileURLToPath(new URL("../../examples/hdag", import.meta.url));

function sampleText(name: string): string {
  return readFileSync(`${SAMPLES}/${name}.yaml`, "utf8");
}

function issuesOf(text: string): LocatedIssue[] {
  try {
    parseHdag(text);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error("the descriptor was accepted");
}

function pathsOf(text: string): string[] {
  return issuesOf(text).map((issue) => issue.path);
}

function service(id: string): Record<string, unknown> {
  return {
    id,
    deployment: {
      trigger: { auto: { dependencies: [] } },
      intent: {
        compute: { cpu: "small", ram: "small", storage: "small", gpu: { enabled: false } },
        connectionPoints: [],
      },
    },
    artifact: { ociImage: `oci://127.0.0.1:5000/test/${id}` },
  };
}

/** A valid three-service graph, as plain data. */
function baseDescriptor(): Record<string, unknown> {
  return {
    hdaGraph: {
      id: "shop",
      version: "1.0.0",
      designer: "tests",
      description: "a valid graph",
      services: [service("front"), service("back"), service("db")],
    },
  };
}

/** A copy of `data` with the value at a dotted path (`hdaGraph.services.1.id`) replaced, or removed when `value` is undefined. */
function edited(data: unknown, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(data) as Record<string, unknown>;
  const keys = path.split(".");
  let cursor: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) {
    if (typeof cursor[key] !== "object" || cursor[key] === null) cursor[key] = {};
    cursor = cursor[key] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete cursor[last];
  else cursor[last] = value;
  return copy;
}

/** `edited` applied several times, then written as YAML. */
function yamlWith(...edits: [string, unknown][]): string {
  return stringifyYaml(edits.reduce<unknown>((data, [path, value]) => edited(data, path, value), baseDescriptor()));
}

const COMPUTE = "deployment.intent.compute";

describe("the shared sample descriptors, exactly as they are", () => {
  it("image-detection: an event-triggered WOT service, connection points and latencies", () => {
    const text = sampleText("image-detection-graph");
    const graph = parseHdag(text);
    expect(graph).toMatchObject({
      id: "image-detection-graph",
      version: "1.0.0",
      designer: "NTUA",
      description: "Brussels demo",
      intent: { useStaticPlacement: true, highAvailability: false, energyEfficiency: false, highPerformance: false, security: false },
    });
    expect(graph.services.map((entry) => entry.id)).toEqual(["image-compression-vo", "noise-reduction", "image-detection"]);
    const [vo, noise, detection] = graph.services;
    expect(vo!.trigger).toEqual({
      kind: "event",
      condition: "ANY",
      events: [
        {
          id: "main-event",
          promQuery: 'absent(up{prometheus="kc1/kube-prometheus-operator"})',
          gracePeriod: "2m",
          description: "High vo-metric",
          source: [{ serviceId: "vo", metricId: "vo-metric" }],
        },
      ],
    });
    expect(vo!.compute).toEqual({
      cpu: 0.5,
      memory: 500 * MiB,
      storage: 10e9,
      gpu: false,
      given: { cpu: "light", memory: "light", storage: "small" },
    });
    expect(vo!.connectionPoints).toEqual(["noise-reduction"]);
    expect(vo!.latencies).toEqual({ "noise-reduction": "best-effort" });
    expect(vo!.artifact).toEqual({
      ociImage: "oci://127.0.0.1:5000/test/image-compression-vo",
      type: "VO",
      implementer: "WOT",
      run: { name: "HELM", version: "v3" },
      valuesOverwrite: { voDescriptorOverwrite: {}, voChartOverwrite: {} },
    });
    expect(noise!.trigger).toEqual({ kind: "auto", dependencies: [] });
    expect(noise!.connectionPoints).toEqual(["image-detection"]);
    expect(noise!.latencies).toEqual({});
    expect(detection!.connectionPoints).toEqual([]);
    expect(detection!.artifact.implementer).toBe("HELM");
    expect(graph.services.map((entry) => entry.spread)).toEqual([1, 1, 1]);
    // The verbatim descriptor, as an independent YAML reader sees it.
    expect(graph.raw).toEqual(parseYamlText(text));
  });

  it("gpu-offloading: connection points under intent.network, a GPU service, placeholder latencies ignored", () => {
    const graph = parseHdag(sampleText("gpu-offloading-graph"));
    const [frontend, inference] = graph.services;
    expect(frontend).toMatchObject({ id: "web-frontend", connectionPoints: ["ml-inference"], latencies: {}, coLocation: [], metrics: [] });
    expect(frontend!.compute.gpu).toBe(false);
    expect(inference).toMatchObject({ id: "ml-inference", connectionPoints: [], latencies: {} });
    expect(inference!.compute).toEqual({
      cpu: 4,
      memory: 2 * GiB,
      storage: 10e9,
      gpu: true,
      given: { cpu: "medium", memory: "medium", storage: "small" },
    });
    expect(graph.description).toBe("A demo application to showcase GPU-based placement.");
  });

  it("resilience: graph-level high availability spreads the service over two clusters", () => {
    const graph = parseHdag(sampleText("resilience-critical-graph"));
    expect(graph.intent.highAvailability).toBe(true);
    expect(graph.services).toHaveLength(1);
    expect(graph.services[0]).toMatchObject({ id: "critical-service", spread: 2, connectionPoints: [] });
    expect(graph.services[0]!.artifact.valuesOverwrite).toEqual({});
  });

  it("reads a sample the same with Windows line endings", () => {
    const text = sampleText("image-detection-graph");
    expect(parseHdag(text.replace(/\n/g, "\r\n"))).toEqual(parseHdag(text));
  });

  it.each(["image-detection-graph", "gpu-offloading-graph", "resilience-critical-graph"])(
    "%s reads the same from its JSON form",
    (name) => {
      const fromYaml = parseHdag(sampleText(name));
      const fromJson = parseHdag(JSON.stringify(parseYamlText(sampleText(name)), null, 2));
      expect(fromJson).toEqual(fromYaml);
    },
  );
});

describe("real-world looseness", () => {
  it.each([
    [true, true],
    ["True", true],
    ["true", true],
    ["yes", true],
    ["on", true],
    ["Y", true],
    [false, false],
    ["False", false],
    ["false", false],
    ["no", false],
    ["OFF", false],
  ])("reads %j as the boolean %s", (given, expected) => {
    const graph = parseHdag(yamlWith(["hdaGraph.hdaGraphIntent.useStaticPlacement", given], [`hdaGraph.services.0.${COMPUTE}.gpu.enabled`, given]));
    expect(graph.intent.useStaticPlacement).toBe(expected);
    expect(graph.services[0]!.compute.gpu).toBe(expected);
  });

  it("reads unquoted YAML 1.1 words in boolean fields", () => {
    const text = "hdaGraph:\n  id: g\n  hdaGraphIntent:\n    useStaticPlacement: yes\n    security: {enabled: off}\n  services:\n    - id: a\n      artifact: {ociImage: oci://r/a}\n";
    expect(parseHdag(text).intent).toMatchObject({ useStaticPlacement: true, security: false });
  });

  it("accepts the shorthand `gpu: true` and `highAvailability: True`", () => {
    const graph = parseHdag(yamlWith([`hdaGraph.services.0.${COMPUTE}.gpu`, true], ["hdaGraph.hdaGraphIntent.highAvailability", "True"]));
    expect(graph.services[0]!.compute.gpu).toBe(true);
    expect(graph.intent.highAvailability).toBe(true);
  });

  it("fills every optional block with its default", () => {
    const graph = parseHdag("hdaGraph:\n  id: minimal\n  services:\n    - id: only\n      artifact:\n        ociImage: oci://127.0.0.1:5000/x/only\n");
    expect(graph).toEqual({
      id: "minimal",
      version: "",
      designer: "",
      description: "",
      intent: { useStaticPlacement: false, highAvailability: false, energyEfficiency: false, highPerformance: false, security: false },
      services: [
        {
          id: "only",
          trigger: { kind: "auto", dependencies: [] },
          compute: { cpu: 1, memory: GiB, storage: 10e9, gpu: false, given: { cpu: "small", memory: "small", storage: "small" } },
          connectionPoints: [],
          latencies: {},
          coLocation: [],
          metrics: [],
          spread: 1,
          artifact: {
            ociImage: "oci://127.0.0.1:5000/x/only",
            type: "App",
            implementer: "HELM",
            run: { name: "HELM", version: "v3" },
            valuesOverwrite: {},
          },
        },
      ],
      raw: { hdaGraph: { id: "minimal", services: [{ id: "only", artifact: { ociImage: "oci://127.0.0.1:5000/x/only" } }] } },
    });
  });

  it("reads empty blocks (`intent:` with nothing under it) as missing", () => {
    const text =
      "hdaGraph:\n  id: g\n  hdaGraphIntent:\n  services:\n    - id: a\n      deployment:\n        trigger:\n          auto:\n        intent:\n      artifact:\n        ociImage: oci://r/a\n        valuesOverwrite:\n";
    const graph = parseHdag(text);
    expect(graph.services[0]).toMatchObject({ trigger: { kind: "auto", dependencies: [] }, connectionPoints: [], artifact: { valuesOverwrite: {} } });
  });

  it("unites connection points given in both places, without duplicates, in order", () => {
    const graph = parseHdag(
      yamlWith(
        ["hdaGraph.services.0.deployment.intent.connectionPoints", ["back", "db"]],
        ["hdaGraph.services.0.deployment.intent.network.connectionPoints", ["db", "back"]],
        ["hdaGraph.services.1.deployment.intent.network.connectionPoints", ["db"]],
      ),
    );
    expect(graph.services.map((entry) => entry.connectionPoints)).toEqual([["back", "db"], ["db"], []]);
  });

  it("ignores latency placeholders with an empty target and reads qos case-insensitively, best-effort by default", () => {
    const graph = parseHdag(
      yamlWith([
        "hdaGraph.services.0.deployment.intent.network.latencies",
        [{ connectionPoint: "", qos: "best-effort" }, { connectionPoint: "back", qos: "UltraLow" }, { connectionPoint: "db" }, { qos: "low" }],
      ]),
    );
    expect(graph.services[0]!.latencies).toEqual({ back: "ultralow", db: "best-effort" });
  });

  it("keeps numbers as written where text is expected (version: 1.0, cpu: 0.50)", () => {
    const text = "hdaGraph:\n  id: g\n  version: 1.0\n  services:\n    - id: a\n      deployment: {intent: {compute: {cpu: 0.50, ram: 3GiB}}}\n      artifact: {ociImage: oci://r/a}\n";
    const graph = parseHdag(text);
    expect(graph.version).toBe("1.0");
    expect(graph.services[0]!.compute).toMatchObject({ cpu: 0.5, memory: 3 * GiB, given: { cpu: "0.50", memory: "3GiB", storage: "small" } });
  });

  it("reads explicit quantities and `memory` as a synonym of `ram`", () => {
    const graph = parseHdag(
      yamlWith(
        [`hdaGraph.services.0.${COMPUTE}`, { cpu: "250m", ram: "512Mi", storage: "5G" }],
        [`hdaGraph.services.1.${COMPUTE}`, { cpu: 2, memory: "3Gi", storage: "Large" }],
      ),
    );
    expect(graph.services[0]!.compute).toEqual({ cpu: 0.25, memory: 512 * MiB, storage: 5e9, gpu: false, given: { cpu: "250m", memory: "512Mi", storage: "5G" } });
    expect(graph.services[1]!.compute).toMatchObject({ cpu: 2, memory: 3 * GiB, storage: 40e9, given: { cpu: "2", memory: "3Gi", storage: "Large" } });
  });

  it("follows anchors and merge keys for repeated blocks", () => {
    const text = [
      "hdaGraph:",
      "  id: g",
      "  services:",
      "    - id: a",
      "      deployment: {intent: {compute: &big {cpu: large, ram: large}}}",
      "      artifact: &chart {ociImage: oci://r/a, valuesOverwrite: {replicas: 1}}",
      "    - id: b",
      "      deployment: {intent: {compute: *big}}",
      "      artifact:",
      "        <<: *chart",
      "        ociImage: oci://r/b",
    ].join("\n");
    const [a, b] = parseHdag(text).services;
    expect(b!.compute).toEqual(a!.compute);
    expect(b!.artifact.ociImage).toBe("oci://r/b");
    expect(b!.artifact.valuesOverwrite).toEqual({ replicas: 1 });
    expect(b!.artifact.valuesOverwrite).not.toBe(a!.artifact.valuesOverwrite);
  });

  it("reads dependencies and co-location", () => {
    const graph = parseHdag(
      yamlWith(["hdaGraph.services.0.deployment.trigger.auto.dependencies", ["db", "back", "db"]], ["hdaGraph.services.1.deployment.intent.coLocation", ["db"]]),
    );
    expect(graph.services[0]!.trigger).toEqual({ kind: "auto", dependencies: ["db", "back"] });
    expect(graph.services[1]!.coLocation).toEqual(["db"]);
  });
});

describe("high availability: spread", () => {
  it("computes the number of clusters from the graph's and the service's intent", () => {
    expect(computeSpread(false, {})).toBe(1);
    expect(computeSpread(true, {})).toBe(2);
    expect(computeSpread(true, { replicasAcrossClusters: 3 })).toBe(3);
    expect(computeSpread(true, { enabled: false, replicasAcrossClusters: 3 })).toBe(1);
    expect(computeSpread(false, { enabled: true })).toBe(2);
    expect(computeSpread(false, { enabled: true, replicasAcrossClusters: 4 })).toBe(4);
    expect(computeSpread(false, { replicasAcrossClusters: 4 })).toBe(1);
  });

  it("reads replicasAcrossClusters from the service's intent", () => {
    const graph = parseHdag(
      yamlWith(
        ["hdaGraph.hdaGraphIntent.highAvailability.enabled", true],
        ["hdaGraph.services.0.deployment.intent.highAvailability", { enabled: true, replicasAcrossClusters: 3 }],
        ["hdaGraph.services.1.deployment.intent.highAvailability", { enabled: "False" }],
      ),
    );
    expect(graph.services.map((entry) => entry.spread)).toEqual([3, 1, 2]);
  });

  it.each([0, 11, 2.5, "two", -1])("refuses replicasAcrossClusters %j", (count) => {
    const issues = issuesOf(yamlWith(["hdaGraph.services.0.deployment.intent.highAvailability.replicasAcrossClusters", count]));
    expect(issues).toMatchObject([
      { path: "hdaGraph.services[0].deployment.intent.highAvailability.replicasAcrossClusters", message: expect.stringMatching(/whole number from 1 to 10/) },
    ]);
  });
});

describe("rejections, each naming its path", () => {
  it("an alias bomb inside a descriptor, by the alias expansion cap", () => {
    const lines = ["hdaGraph:", "  id: g", "  bomb:", '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let level = 1; level < 10; level++) {
      const previous = String.fromCharCode(96 + level);
      const current = String.fromCharCode(97 + level);
      lines.push(`    ${current}: &${current} [${Array(9).fill(`*${previous}`).join(",")}]`);
    }
    const issues = issuesOf(lines.join("\n"));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toMatch(/^hdaGraph\.bomb\.[a-j]\[\d\]$/);
    expect(issues[0]!.message).toBe("YAML aliases expand to more than 100000 nodes; this looks like an alias bomb and is refused");
  });

  it("more than 1 MiB of text", () => {
    const text = yamlWith(["hdaGraph.description", "x".repeat(MiB)]);
    expect(issuesOf(text)).toEqual([{ path: "", message: expect.stringMatching(/^the descriptor is 1049\d{3} bytes long; at most 1048576 bytes \(1 MiB\) are accepted$/) }]);
  });

  it("an unknown size class", () => {
    const issues = issuesOf(yamlWith([`hdaGraph.services.1.${COMPUTE}.cpu`, "huge"]));
    expect(issues).toEqual([
      {
        path: "hdaGraph.services[1].deployment.intent.compute.cpu",
        message: 'unknown cpu size class "huge": use one of light, small, medium, large, or an explicit quantity',
        line: expect.any(Number),
        column: expect.any(Number),
      },
    ]);
  });

  it("a size with the wrong type, zero or negative", () => {
    expect(pathsOf(yamlWith([`hdaGraph.services.0.${COMPUTE}.cpu`, { cores: 2 }], [`hdaGraph.services.1.${COMPUTE}.ram`, 0], [`hdaGraph.services.2.${COMPUTE}.storage`, "-5G"]))).toEqual([
      "hdaGraph.services[0].deployment.intent.compute.cpu",
      "hdaGraph.services[1].deployment.intent.compute.ram",
      "hdaGraph.services[2].deployment.intent.compute.storage",
    ]);
  });

  it("ram and memory both given", () => {
    expect(issuesOf(yamlWith([`hdaGraph.services.0.${COMPUTE}.memory`, "2Gi"]))).toMatchObject([
      { path: "hdaGraph.services[0].deployment.intent.compute.memory", message: "give ram or memory, not both" },
    ]);
  });

  it("duplicate service ids", () => {
    expect(issuesOf(yamlWith(["hdaGraph.services.2.id", "front"]))).toMatchObject([
      { path: "hdaGraph.services[2].id", message: 'duplicate service id "front": services[0] has it already' },
    ]);
  });

  it("connection points, co-location, latency targets and dependencies naming no service of the graph", () => {
    const issues = issuesOf(
      yamlWith(
        ["hdaGraph.services.0.deployment.intent.connectionPoints", ["back", "ghost"]],
        ["hdaGraph.services.0.deployment.intent.network.connectionPoints", ["phantom"]],
        ["hdaGraph.services.1.deployment.intent.coLocation", ["nobody"]],
        ["hdaGraph.services.1.deployment.intent.network.latencies", [{ connectionPoint: "elsewhere", qos: "low" }]],
        ["hdaGraph.services.2.deployment.trigger.auto.dependencies", ["missing"]],
      ),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      "hdaGraph.services[0].deployment.intent.connectionPoints[1]",
      "hdaGraph.services[0].deployment.intent.network.connectionPoints[0]",
      "hdaGraph.services[1].deployment.intent.network.latencies[0].connectionPoint",
      "hdaGraph.services[1].deployment.intent.coLocation[0]",
      "hdaGraph.services[2].deployment.trigger.auto.dependencies[0]",
    ]);
    expect(issues[0]!.message).toBe('names no service of this graph: "ghost" (services: front, back, db)');
  });

  it("a service naming itself", () => {
    const issues = issuesOf(
      yamlWith(["hdaGraph.services.0.deployment.intent.connectionPoints", ["front"]], ["hdaGraph.services.1.deployment.intent.coLocation", ["back"]]),
    );
    expect(issues).toMatchObject([
      { path: "hdaGraph.services[0].deployment.intent.connectionPoints[0]", message: '"front" is this service itself; name another service' },
      { path: "hdaGraph.services[1].deployment.intent.coLocation[0]", message: '"back" is this service itself; name another service' },
    ]);
  });

  it.each([
    ["uppercase", "Front"],
    ["command substitution", "$(id)"],
    ["option injection", "--set=x"],
    ["54 characters", "a".repeat(54)],
    ["leading dash", "-front"],
    ["trailing dash", "front-"],
    ["dot", "front.end"],
    ["empty", ""],
  ])("a service id that is not a DNS-1123 label: %s", (_case, id) => {
    const issues = issuesOf(yamlWith(["hdaGraph.services.0.id", id]));
    expect(issues.map((issue) => issue.path)).toEqual(["hdaGraph.services[0].id"]);
    expect(issues[0]!.message).toMatch(/DNS-1123 label|characters long|must not be empty/);
  });

  it.each([["Shop"], ["$(id)"], ["--set=x"], ["g".repeat(54)], ["-shop"]])("a graph id that is not a DNS-1123 label: %s", (id) => {
    expect(pathsOf(yamlWith(["hdaGraph.id", id]))).toEqual(["hdaGraph.id"]);
  });

  it("accepts a label of exactly 53 characters and a numeric id read as written", () => {
    expect(parseHdag(yamlWith(["hdaGraph.id", "g".repeat(53)])).id).toHaveLength(53);
    expect(parseHdag(yamlWith(["hdaGraph.services.0.id", 42])).services[0]!.id).toBe("42");
  });

  it("prototype keys, at the root and nested", () => {
    const text = [
      "__proto__: {polluted: true}",
      "hdaGraph:",
      "  id: g",
      "  services:",
      "    - id: a",
      "      deployment:",
      '        "constructor": 1',
      "        intent: {compute: {__proto__: {cpu: large}}}",
      "      artifact: {ociImage: oci://r/a}",
    ].join("\n");
    expect(pathsOf(text)).toEqual(["__proto__", "hdaGraph.services[0].deployment.constructor", "hdaGraph.services[0].deployment.intent.compute.__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(pathsOf('{"hdaGraph": {"id": "g", "services": [], "prototype": {}}}')).toEqual(["hdaGraph.prototype"]);
  });

  it("a missing root key, with a hint when the graph is not wrapped", () => {
    expect(issuesOf("id: g\nservices: []\n")).toEqual([
      {
        path: "hdaGraph",
        message: "is required: the descriptor's root key must be hdaGraph (id and services are at the top level: put them under hdaGraph:)",
        line: 1,
        column: 1,
      },
    ]);
    expect(issuesOf("graph: {}\n")).toMatchObject([{ path: "hdaGraph", message: "is required: the descriptor's root key must be hdaGraph" }]);
    expect(issuesOf("")).toMatchObject([{ path: "", message: "the descriptor must be a mapping with the root key hdaGraph, got null" }]);
    expect(issuesOf("- hdaGraph\n")).toMatchObject([{ path: "", message: /got a list/ }]);
    expect(issuesOf("hdaGraph: [1]\n")).toMatchObject([{ path: "hdaGraph", message: "must be a mapping, got a list" }]);
  });

  it("services missing, empty or not a list", () => {
    expect(issuesOf(yamlWith(["hdaGraph.services", undefined]))).toMatchObject([{ path: "hdaGraph.services", message: /is required/ }]);
    expect(issuesOf(yamlWith(["hdaGraph.services", []]))).toMatchObject([{ path: "hdaGraph.services", message: "must list at least one service" }]);
    expect(issuesOf(yamlWith(["hdaGraph.services", { front: {} }]))).toMatchObject([{ path: "hdaGraph.services", message: "must be a list of services, got a mapping" }]);
    expect(issuesOf(yamlWith(["hdaGraph.services", ["front"]]))).toMatchObject([{ path: "hdaGraph.services[0]", message: 'must be a mapping, got "front"' }]);
  });

  it("1,001 services, refused before any service is read", () => {
    // The services are not even valid: only the count is reported.
    const text = yamlWith(["hdaGraph.services", Array.from({ length: 1001 }, () => ({ id: "NOT VALID" }))]);
    expect(issuesOf(text)).toMatchObject([{ path: "hdaGraph.services", message: "lists 1001 services; at most 1000 are accepted" }]);
  });

  it("accepts exactly 1,000 services", () => {
    const services = Array.from({ length: 1000 }, (_, index) => ({ id: `s${index}`, artifact: { ociImage: `oci://r/s${index}` } }));
    expect(parseHdag(JSON.stringify({ hdaGraph: { id: "big", services } })).services).toHaveLength(1000);
  });

  it("duplicate mapping keys", () => {
    const text = yamlWith().replace("  version: 1.0.0\n", "  version: 1.0.0\n  version: 2.0.0\n");
    expect(issuesOf(text)).toMatchObject([{ path: "hdaGraph.version", message: /appears more than once .* \(again at line 4, column 3\)/ }]);
  });

  it("missing required fields", () => {
    const issues = issuesOf(yamlWith(["hdaGraph.id", undefined], ["hdaGraph.services.0.id", undefined], ["hdaGraph.services.1.artifact", undefined], ["hdaGraph.services.2.artifact.ociImage", undefined]));
    expect(issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      "hdaGraph.id: is required",
      "hdaGraph.services[0].id: is required",
      "hdaGraph.services[1].artifact: is required: give at least artifact.ociImage, the service's Helm chart",
      "hdaGraph.services[2].artifact.ociImage: is required",
    ]);
  });

  it.each([["--set=x"], ["nginx"], ["oci://Registry:5000/Upper/Case"], ["oci://r/a b"], ["https://charts.example/x"], ["oci://r"]])(
    "an artifact that is not an OCI chart reference: %s",
    (reference) => {
      expect(issuesOf(yamlWith(["hdaGraph.services.0.artifact.ociImage", reference]))).toMatchObject([
        { path: "hdaGraph.services[0].artifact.ociImage", message: /is not an OCI chart reference such as oci:\/\/127\.0\.0\.1:5000\/project\/chart/ },
      ]);
    },
  );

  it("accepts OCI references with a port, a tag or a digest", () => {
    for (const reference of ["oci://localhost:5000/a/b", "oci://ghcr.io/org/chart:1.2.3", `oci://r.example/x/y@sha256:${"a".repeat(64)}`, "oci://[::1]:5000/c"]) {
      expect(parseHdag(yamlWith(["hdaGraph.services.0.artifact.ociImage", reference])).services[0]!.artifact.ociImage).toBe(reference);
    }
  });

  it("wrong types for blocks and lists", () => {
    const issues = issuesOf(
      yamlWith(
        ["hdaGraph.hdaGraphIntent", ["highAvailability"]],
        ["hdaGraph.services.0.deployment.intent.connectionPoints", "back"],
        ["hdaGraph.services.1.deployment.intent.metrics", { cpu: 1 }],
        ["hdaGraph.services.2.artifact.valuesOverwrite", "replicas=2"],
        ["hdaGraph.services.2.deployment.intent.compute", "small"],
      ),
    );
    expect(issues.map((issue) => `${issue.path}: ${issue.message}`)).toEqual([
      "hdaGraph.hdaGraphIntent: must be a mapping, got a list",
      "hdaGraph.services[0].deployment.intent.connectionPoints: must be a list, got \"back\"",
      "hdaGraph.services[1].deployment.intent.metrics: must be a list, got a mapping",
      'hdaGraph.services[2].deployment.intent.compute: must be a mapping of cpu, ram, storage and gpu, got "small"',
      'hdaGraph.services[2].artifact.valuesOverwrite: must be a mapping, got "replicas=2"',
    ]);
  });

  it("booleans that are not booleans", () => {
    expect(issuesOf(yamlWith(["hdaGraph.hdaGraphIntent.useStaticPlacement", 1], [`hdaGraph.services.0.${COMPUTE}.gpu.enabled`, "maybe"]))).toMatchObject([
      { path: "hdaGraph.hdaGraphIntent.useStaticPlacement", message: "must be true or false, got number 1" },
      { path: "hdaGraph.services[0].deployment.intent.compute.gpu.enabled", message: 'must be true or false, got "maybe"' },
    ]);
  });

  it("an unknown qos", () => {
    expect(issuesOf(yamlWith(["hdaGraph.services.0.deployment.intent.network.latencies", [{ connectionPoint: "back", qos: "fast" }]]))).toMatchObject([
      { path: "hdaGraph.services[0].deployment.intent.network.latencies[0].qos", message: 'unknown qos "fast": use ultralow, low, best-effort' },
    ]);
  });

  it("two different latencies to one service", () => {
    const latencies = [
      { connectionPoint: "back", qos: "low" },
      { connectionPoint: "back", qos: "ultralow" },
    ];
    expect(issuesOf(yamlWith(["hdaGraph.services.0.deployment.intent.network.latencies", latencies]))).toMatchObject([
      { path: "hdaGraph.services[0].deployment.intent.network.latencies[1].connectionPoint", message: 'the latency to "back" is given twice, as low and as ultralow' },
    ]);
  });
});

describe("event triggers", () => {
  const TRIGGER = "hdaGraph.services.1.deployment.trigger";
  const event = (condition: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    event: { condition: "ANY", events: [{ id: "load-high", condition, ...extra }] },
  });

  it("reads an event trigger with several events", () => {
    const trigger = {
      event: {
        events: [
          { id: "e1", condition: { promQuery: "up == 0", gracePeriod: "1h30m" } },
          { id: "e2", source: { serviceId: "front" }, condition: { promQuery: "rate(x[5m]) > 1", gracePeriod: "0" } },
        ],
      },
    };
    const graph = parseHdag(yamlWith([TRIGGER, trigger]));
    expect(graph.services[1]!.trigger).toEqual({
      kind: "event",
      condition: "ANY",
      events: [
        { id: "e1", promQuery: "up == 0", gracePeriod: "1h30m", source: [] },
        { id: "e2", promQuery: "rate(x[5m]) > 1", gracePeriod: "0", source: [{ serviceId: "front" }] },
      ],
    });
  });

  it.each([["30s"], ["2m"], ["1h30m"], ["1d"], ["500ms"], ["1w2d"]])("accepts gracePeriod %s", (period) => {
    const graph = parseHdag(yamlWith([TRIGGER, event({ promQuery: "up == 0", gracePeriod: period })]));
    expect(graph.services[1]!.trigger).toMatchObject({ events: [{ gracePeriod: period }] });
  });

  it.each([["2 minutes"], [120], ["1.5m"], ["m"], ["2m30"], ["30s2m"], ["-1m"]])("refuses gracePeriod %j", (period) => {
    expect(issuesOf(yamlWith([TRIGGER, event({ promQuery: "up == 0", gracePeriod: period })]))).toMatchObject([
      { path: `${TRIGGER.replace(".1.", "[1].").replace("services[1]", "services[1]")}.event.events[0].condition.gracePeriod`, message: /Prometheus duration such as 30s, 2m or 1h30m/ },
    ]);
  });

  it("refuses an event trigger without events, or with events lacking id or promQuery", () => {
    const base = "hdaGraph.services[1].deployment.trigger.event";
    expect(pathsOf(yamlWith([TRIGGER, { event: { condition: "ANY" } }]))).toEqual([`${base}.events`]);
    expect(pathsOf(yamlWith([TRIGGER, { event: { events: [] } }]))).toEqual([`${base}.events`]);
    expect(pathsOf(yamlWith([TRIGGER, { event: { events: [{ condition: { promQuery: "up" } }] } }]))).toEqual([`${base}.events[0].id`]);
    expect(pathsOf(yamlWith([TRIGGER, { event: { events: [{ id: "e" }] } }]))).toEqual([`${base}.events[0].condition`]);
    expect(pathsOf(yamlWith([TRIGGER, event({ gracePeriod: "1m" })]))).toEqual([`${base}.events[0].condition.promQuery`]);
    expect(pathsOf(yamlWith([TRIGGER, event({ promQuery: "" })]))).toEqual([`${base}.events[0].condition.promQuery`]);
    expect(pathsOf(yamlWith([TRIGGER, { event: { events: [{ id: "e", condition: { promQuery: "a" } }, { id: "e", condition: { promQuery: "b" } }] } }]))).toEqual([
      `${base}.events[1].id`,
    ]);
  });

  it("refuses a trigger that is both auto and event, or neither", () => {
    expect(issuesOf(yamlWith([TRIGGER, { auto: {}, ...event({ promQuery: "up" }) }]))).toMatchObject([
      { path: "hdaGraph.services[1].deployment.trigger", message: "give either auto or event, not both" },
    ]);
    expect(issuesOf(yamlWith([TRIGGER, { manual: true }]))).toMatchObject([{ path: "hdaGraph.services[1].deployment.trigger", message: /must be auto/ }]);
  });
});

describe("reporting", () => {
  it("collects every problem, not only the first", () => {
    const issues = issuesOf(
      yamlWith(
        ["hdaGraph.id", "Bad Name"],
        [`hdaGraph.services.0.${COMPUTE}.cpu`, "huge"],
        ["hdaGraph.services.1.deployment.intent.connectionPoints", ["ghost"]],
        ["hdaGraph.services.2.id", "front"],
        ["hdaGraph.services.2.artifact.ociImage", "--set=x"],
      ),
    );
    expect(issues.map((issue) => issue.path)).toEqual([
      "hdaGraph.id",
      "hdaGraph.services[0].deployment.intent.compute.cpu",
      "hdaGraph.services[1].deployment.intent.connectionPoints[0]",
      "hdaGraph.services[2].id",
      "hdaGraph.services[2].artifact.ociImage",
    ]);
  });

  it("locates the first 100 problems and counts the rest", () => {
    const services = Array.from({ length: 60 }, (_, index) => ({ id: `S${index}`, artifact: { ociImage: "nginx" } }));
    const issues = issuesOf(JSON.stringify({ hdaGraph: { id: "g", services } }, null, 1));
    expect(issues).toHaveLength(101);
    expect(issues[0]).toMatchObject({ path: "hdaGraph.services[0].id", line: expect.any(Number) });
    expect(issues[100]).toEqual({ path: "", message: "... and 20 more problems" });
  });

  it("locates each issue at its line and column", () => {
    const text = "hdaGraph:\n  id: g\n  services:\n    - id: a\n      deployment:\n        intent:\n          compute:\n            cpu: enormous\n      artifact: {ociImage: oci://r/a}\n";
    expect(issuesOf(text)).toEqual([
      { path: "hdaGraph.services[0].deployment.intent.compute.cpu", message: expect.stringMatching(/enormous/), line: 8, column: 18 },
    ]);
  });

  it("reports YAML syntax errors with line and column", () => {
    const issues = issuesOf("hdaGraph:\n  id: g\n  services:\n    - id: a\n     artifact: x\n");
    expect(issues[0]!.message).toMatch(/^YAML syntax error at line 5, column \d+/);
  });

  it("summarises with the source name and every issue", () => {
    let caught: unknown;
    try {
      parseHdag(yamlWith(["hdaGraph.id", "X"], [`hdaGraph.services.0.${COMPUTE}.ram`, "lots"]), { source: "graph.yaml" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).message).toMatch(/^graph\.yaml is not a valid HDAG descriptor: hdaGraph\.id: .*; hdaGraph\.services\[0\]\.deployment\.intent\.compute\.ram: /);
  });

  it("refuses input that is not text", () => {
    expect(() => parseHdag(42 as unknown as string)).toThrow(/must be text, got number 42/);
  });

  it("returns the verbatim descriptor as raw", () => {
    const data = edited(baseDescriptor(), "hdaGraph.extension", { anything: ["kept"] });
    const graph: Hdag = parseHdag(stringifyYaml(data));
    expect(graph.raw).toEqual(data);
  });
});
