import { describe, expect, it } from "vitest";
import { applyJsonPatch, applyMergePatch, patchKindOf, strategicMerge, type JsonObject } from "./patch";
import { KubeStatusError } from "./status";

const deployment: JsonObject = {
  metadata: { name: "web", labels: { app: "web", tier: "frontend" }, finalizers: ["a"] },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }], env: [{ name: "A", value: "1" }] },
          { name: "sidecar", image: "busybox" },
        ],
        tolerations: [{ key: "x", operator: "Exists" }],
      },
    },
  },
};

describe("patch content types", () => {
  it("strips parameters and maps the four patch media types", () => {
    expect(patchKindOf("application/json-patch+json")).toBe("json");
    expect(patchKindOf("application/merge-patch+json; charset=utf-8")).toBe("merge");
    expect(patchKindOf("Application/Strategic-Merge-Patch+JSON")).toBe("strategic");
    expect(patchKindOf("application/apply-patch+yaml")).toBe("apply");
    expect(patchKindOf("application/json")).toBeUndefined();
  });
});

describe("JSON merge patch (RFC 7386)", () => {
  it("merges objects, deletes on null and replaces arrays whole", () => {
    const result = applyMergePatch(deployment, {
      metadata: { labels: { tier: null, version: "2" } },
      spec: { template: { spec: { containers: [{ name: "only", image: "x" }] } } },
    }) as JsonObject;
    expect((result.metadata as JsonObject).labels).toEqual({ app: "web", version: "2" });
    expect(((result.spec as JsonObject).template as JsonObject).spec).toEqual({ containers: [{ name: "only", image: "x" }], tolerations: [{ key: "x", operator: "Exists" }] });
    expect((deployment.metadata as JsonObject).labels).toEqual({ app: "web", tier: "frontend" });
  });
});

describe("strategic merge patch", () => {
  it("merges containers by name, ports by containerPort and env by name; replaces lists without a merge key", () => {
    const result = strategicMerge(deployment, {
      spec: {
        template: {
          spec: {
            containers: [
              { name: "web", image: "nginx:1.28", ports: [{ containerPort: 443 }], env: [{ name: "A", value: "2" }] },
              { name: "extra", image: "redis" },
            ],
            tolerations: [{ key: "y", operator: "Exists" }],
          },
        },
      },
    });
    const spec = ((result.spec as JsonObject).template as JsonObject).spec as JsonObject;
    expect(spec.containers).toEqual([
      { name: "web", image: "nginx:1.28", ports: [{ containerPort: 80 }, { containerPort: 443 }], env: [{ name: "A", value: "2" }] },
      { name: "sidecar", image: "busybox" },
      { name: "extra", image: "redis" },
    ]);
    expect(spec.tolerations).toEqual([{ key: "y", operator: "Exists" }]);
  });

  it("honours $patch delete/replace, $setElementOrder, $retainKeys and $deleteFromPrimitiveList", () => {
    const result = strategicMerge(deployment, {
      metadata: { labels: { $patch: "replace", only: "this" }, "$deleteFromPrimitiveList/finalizers": ["a"] },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "sidecar" }, { name: "web" }],
            containers: [{ name: "web", $patch: "delete" }],
          },
        },
        $retainKeys: ["template"],
      },
    });
    expect((result.metadata as JsonObject).labels).toEqual({ only: "this" });
    expect((result.metadata as JsonObject).finalizers).toEqual([]);
    expect(Object.keys(result.spec as JsonObject)).toEqual(["template"]);
    expect((((result.spec as JsonObject).template as JsonObject).spec as JsonObject).containers).toEqual([{ name: "sidecar", image: "busybox" }]);
  });

  it("rejects a list element without its merge key with 400", () => {
    expect(() => strategicMerge(deployment, { spec: { template: { spec: { containers: [{ image: "x" }] } } } })).toThrow(/does not contain declared merge key: name/);
  });
});

describe("JSON patch (RFC 6902)", () => {
  it("applies ops without touching the input", () => {
    const result = applyJsonPatch(deployment, [
      { op: "replace", path: "/spec/replicas", value: 5 },
      { op: "add", path: "/metadata/labels/version", value: "2" },
      { op: "remove", path: "/spec/template/spec/containers/1" },
      { op: "test", path: "/spec/replicas", value: 5 },
    ]);
    expect((result.spec as JsonObject).replicas).toBe(5);
    expect((result.metadata as JsonObject).labels).toMatchObject({ version: "2" });
    expect((((result.spec as JsonObject).template as JsonObject).spec as JsonObject).containers).toHaveLength(1);
    expect((deployment.spec as JsonObject).replicas).toBe(2);
  });

  it.each([
    [[{ op: "replace", path: "/spec/missing/deep", value: 1 }], /replace operation does not apply: doc is missing path: "\/spec\/missing\/deep"/],
    [[{ op: "test", path: "/spec/replicas", value: 3 }], /testing value \/spec\/replicas failed/],
    [[{ op: "remove", path: "/metadata/nothing" }], /remove operation does not apply/],
    [[{ op: "jump", path: "/spec" }], /Unexpected kind: jump/],
  ])("answers the failing patch %j with 422", (patch, message) => {
    let caught: unknown;
    try {
      applyJsonPatch(deployment, patch);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(KubeStatusError);
    expect((caught as KubeStatusError).code).toBe(422);
    expect((caught as KubeStatusError).message).toMatch(message);
  });

  it("answers a patch that is not an array with 400", () => {
    expect(() => applyJsonPatch(deployment, { op: "add" })).toThrow(KubeStatusError);
    try {
      applyJsonPatch(deployment, { op: "add" });
    } catch (error) {
      expect((error as KubeStatusError).code).toBe(400);
    }
  });
});
