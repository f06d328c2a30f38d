import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { ValidationError } from "../errors";
import { buildPlacementValues, mergeValues } from "./values";

describe("buildPlacementValues (SPEC §3)", () => {
  it("puts placement at the top level for HELM charts, over the descriptor's values", () => {
    const values = buildPlacementValues({
      implementer: "HELM",
      valuesOverwrite: { replicas: 2, clustersAffinity: ["old"], service: { port: 8080 } },
      clustersAffinity: ["cluster-a"],
      serviceImportClusters: ["cluster-b", "cluster-c"],
    });
    expect(values).toEqual({ replicas: 2, clustersAffinity: ["cluster-a"], serviceImportClusters: ["cluster-b", "cluster-c"], service: { port: 8080 } });
  });

  it("puts placement inside voChartOverwrite for WOT charts and keeps the VO's other values", () => {
    const valuesOverwrite = { voDescriptorOverwrite: {}, voChartOverwrite: { resources: { limits: { cpu: "500m" } }, clustersAffinity: ["cluster1-master"] } };
    const values = buildPlacementValues({ implementer: "WOT", valuesOverwrite, clustersAffinity: ["edge-1"], serviceImportClusters: [] });
    expect(values).toEqual({
      voDescriptorOverwrite: {},
      voChartOverwrite: { resources: { limits: { cpu: "500m" } }, clustersAffinity: ["edge-1"], serviceImportClusters: [] },
    });
    expect(values).not.toHaveProperty("clustersAffinity");
    // The descriptor's own object is left untouched.
    expect(valuesOverwrite.voChartOverwrite.clustersAffinity).toEqual(["cluster1-master"]);
  });

  it("creates voChartOverwrite when a WOT descriptor has none, and accepts a missing valuesOverwrite", () => {
    expect(buildPlacementValues({ implementer: "wot", valuesOverwrite: undefined, clustersAffinity: ["a"], serviceImportClusters: ["b"] })).toEqual({
      voChartOverwrite: { clustersAffinity: ["a"], serviceImportClusters: ["b"] },
    });
  });

  it("rejects prototype keys anywhere, naming the path", () => {
    const hostile = JSON.parse('{"service": {"__proto__": {"polluted": true}}}') as Record<string, unknown>;
    expect(() => buildPlacementValues({ implementer: "HELM", valuesOverwrite: hostile, clustersAffinity: [], serviceImportClusters: [] })).toThrow(
      ValidationError,
    );
    try {
      mergeValues({}, JSON.parse('{"a": [{"constructor": 1}]}') as Record<string, unknown>);
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).issues[0].path).toBe("a[0].constructor");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("merges maps deeply and replaces arrays and scalars, like helm", () => {
    expect(mergeValues({ a: { b: 1, c: [1, 2] }, d: "x" }, { a: { c: [3] }, d: { e: 1 } })).toEqual({ a: { b: 1, c: [3] }, d: { e: 1 } });
  });

  it("survives the YAML 1.1 round trip helm applies to the values file", () => {
    const values = buildPlacementValues({ implementer: "HELM", valuesOverwrite: { mode: "yes", flag: "on", octal: "0755" }, clustersAffinity: ["y"], serviceImportClusters: [] });
    expect(parse(stringify(values, { version: "1.1" }), { version: "1.1" })).toEqual(values);
  });
});
