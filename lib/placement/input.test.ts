/**
 * Building placement inputs: from a normalised HDAG, and from a scenario file (quantities,
 * defaults, paths of the problems it reports).
 */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import type { Hdag, HdagService } from "../hdag/types";
import { DEFAULT_PLACEMENT_WEIGHTS, energyEfficientCarbonWeight, parsePlacementScenario, placementInputFromHdag, planPlacement, type PlacementCluster } from "./index";

const GI = 2 ** 30;

function hdagService(id: string, fields: Partial<HdagService> = {}): HdagService {
  return {
    id,
    trigger: { kind: "auto", dependencies: [] },
    compute: { cpu: 1, memory: GI, storage: 10e9, gpu: false, given: { cpu: "small", memory: "small", storage: "small" } },
    connectionPoints: [],
    latencies: {},
    coLocation: [],
    metrics: [],
    spread: 1,
    artifact: { ociImage: `oci://127.0.0.1:5000/test/${id}`, type: "helm", implementer: "HELM", run: { name: id, version: "0.1.0" }, valuesOverwrite: {} },
    ...fields,
  };
}

function hdag(services: HdagService[], energyEfficiency: boolean): Hdag {
  return {
    id: "image-detection-graph",
    version: "1.0.0",
    designer: "test",
    description: "",
    intent: { useStaticPlacement: false, highAvailability: false, energyEfficiency, highPerformance: false, security: false },
    services,
    raw: {},
  };
}

const clusters: PlacementCluster[] = [
  { name: "dirty", cpu: 16, memory: 32 * GI, gpu: true, ready: true, carbon: 500 },
  { name: "clean", cpu: 16, memory: 32 * GI, gpu: true, ready: true, carbon: 100 },
];

describe("placementInputFromHdag", () => {
  const services = [
    hdagService("noise-reduction", { compute: { cpu: 4, memory: 2 * GI, storage: 0, gpu: true, given: { cpu: "medium", memory: "medium", storage: "0" } }, connectionPoints: ["image-detection"], latencies: { "image-detection": "low" } }),
    hdagService("image-detection", { coLocation: ["noise-reduction"], spread: 2 }),
  ];

  it("carries compute, links, co-location and spread over, with replicas 1 and default weights", () => {
    const input = placementInputFromHdag(hdag(services, false), clusters, { current: { "noise-reduction": ["dirty"] } });
    expect(input.weights).toEqual(DEFAULT_PLACEMENT_WEIGHTS);
    expect(input.services).toEqual([
      { id: "noise-reduction", cpu: 4, memory: 2 * GI, replicas: 1, gpu: true, connectionPoints: ["image-detection"], latencies: { "image-detection": "low" }, coLocation: [], spread: 1, current: ["dirty"] },
      { id: "image-detection", cpu: 1, memory: GI, replicas: 1, gpu: false, connectionPoints: [], latencies: {}, coLocation: ["noise-reduction"], spread: 2, current: [] },
    ]);
  });

  it("raises the carbon weight to 1 / the highest intensity when the graph asks for energy efficiency, and lets overrides win", () => {
    const green = placementInputFromHdag(hdag(services, true), clusters);
    expect(green.weights.carbon).toBe(1 / 500);
    expect(energyEfficientCarbonWeight([{ ...clusters[0]!, carbon: 0 }])).toBe(0);
    const overridden = placementInputFromHdag(hdag(services, true), clusters, { weights: { carbon: 0.5, balance: 2 }, replicas: { "noise-reduction": 3 } });
    expect(overridden.weights).toEqual({ migration: 1, carbon: 0.5, communication: 1, balance: 2 });
    expect(overridden.services[0]!.replicas).toBe(3);
  });

  it("moves a running service to the cleaner cluster only under the energy-efficiency intent", async () => {
    const single = [hdagService("worker", { compute: { cpu: 4, memory: GI, storage: 0, gpu: false, given: { cpu: "medium", memory: "small", storage: "0" } } })];
    const current = { worker: ["dirty"] };
    const plain = await planPlacement(placementInputFromHdag(hdag(single, false), clusters, { current }), { algorithm: "optimal" });
    expect(plain.placement).toEqual({ worker: ["dirty"] });
    // 4 cores × (500 − 100) / 500 = 3.2 saved, more than the one migration it costs.
    const green = await planPlacement(placementInputFromHdag(hdag(single, true), clusters, { current }), { algorithm: "optimal" });
    expect(green.placement).toEqual({ worker: ["clean"] });
    expect(green.terms).toEqual({ migration: 1, carbon: 400, communication: 0, balance: 0.25 });
  });
});

describe("parsePlacementScenario", () => {
  it("reads Kubernetes quantities and numbers and fills in the documented defaults", () => {
    const input = parsePlacementScenario({
      clusters: [{ name: "a", cpu: "1500m", memory: "2Gi" }],
      services: [{ id: "x", cpu: 0.5, memory: 536870912 }],
    });
    expect(input).toEqual({
      clusters: [{ name: "a", cpu: 1.5, memory: 2 * GI, gpu: false, ready: true, carbon: 0 }],
      services: [{ id: "x", cpu: 0.5, memory: GI / 2, replicas: 1, gpu: false, connectionPoints: [], latencies: {}, coLocation: [], spread: 1, current: [] }],
      weights: DEFAULT_PLACEMENT_WEIGHTS,
    });
  });

  it("reports every bad field by its path", () => {
    let caught: unknown;
    try {
      parsePlacementScenario({ clusters: [{ name: "", cpu: "2x", memory: "1Gi" }], services: [{ id: "x", cpu: 1, memory: "1Gi", spread: 0 }], extra: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const paths = (caught as ValidationError).issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["clusters[0].name", "clusters[0].cpu", "services[0].spread", ""]));
  });

  it("accepts the example scenario files", async () => {
    for (const file of ["image-detection.json", "edge-federation.json"]) {
      const input = parsePlacementScenario(JSON.parse(await readFile(new URL(`./examples/${file}`, import.meta.url), "utf8")));
      expect(input.services.length).toBeGreaterThan(2);
    }
  });
});
