import { describe, expect, it } from "vitest";
import { formatLabelSelector, matchesLabelSelector, matchesRequirements, parseFieldSelector, parseLabelSelector } from "./selectors";
import { KubeStatusError } from "./status";

const labels = { app: "web", tier: "frontend", release: "3" };

function selects(selector: string, target: Record<string, string> | undefined = labels): boolean {
  return matchesRequirements(target, parseLabelSelector(selector));
}

describe("label selector strings", () => {
  it("supports every operator of the API server's grammar", () => {
    expect(selects("")).toBe(true);
    expect(selects("app=web")).toBe(true);
    expect(selects("app==web")).toBe(true);
    expect(selects("app!=web")).toBe(false);
    expect(selects("missing!=x")).toBe(true);
    expect(selects("tier in (backend, frontend)")).toBe(true);
    expect(selects("tier notin (frontend)")).toBe(false);
    expect(selects("missing notin (frontend)")).toBe(true);
    expect(selects("app")).toBe(true);
    expect(selects("!app")).toBe(false);
    expect(selects("!missing")).toBe(true);
    expect(selects("release>2,release<4")).toBe(true);
    expect(selects("app=web,tier=backend")).toBe(false);
    expect(selects("app=", { app: "" })).toBe(true);
    expect(selects("example.com/team=a", { "example.com/team": "a" })).toBe(true);
    expect(matchesRequirements(undefined, parseLabelSelector("app=web"))).toBe(false);
    expect(matchesRequirements(undefined, parseLabelSelector("!app"))).toBe(true);
  });

  it.each(["app=web,", "in (a)", "app in (a", "app in a", "app=a=b", "app=web!", "bad key=x", "app=has space", "-app=x", "release>x"])(
    "rejects the malformed selector %j with a 400 BadRequest Status",
    (selector) => {
      let caught: unknown;
      try {
        parseLabelSelector(selector);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(KubeStatusError);
      expect((caught as KubeStatusError).body).toMatchObject({ code: 400, reason: "BadRequest", status: "Failure" });
    },
  );
});

describe("structured label selectors", () => {
  it("ANDs matchLabels and matchExpressions; an empty selector matches everything", () => {
    expect(matchesLabelSelector(labels, {})).toBe(true);
    expect(matchesLabelSelector(labels, { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["frontend"] }] })).toBe(true);
    expect(matchesLabelSelector(labels, { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend"] }] })).toBe(false);
    expect(matchesLabelSelector(labels, { matchExpressions: [{ key: "gpu", operator: "DoesNotExist" }] })).toBe(true);
    expect(matchesLabelSelector(labels, { matchExpressions: [{ key: "app", operator: "Bogus" }] })).toBe(false);
  });

  it("renders a selector as the Scale subresource does, and the rendering parses back to the same meaning", () => {
    const selector = { matchLabels: { tier: "frontend", app: "web" }, matchExpressions: [{ key: "release", operator: "In", values: ["3", "2"] }] };
    const text = formatLabelSelector(selector);
    expect(text).toBe("app=web,tier=frontend,release in (2,3)");
    expect(selects(text)).toBe(matchesLabelSelector(labels, selector));
  });
});

describe("field selectors", () => {
  it("supports =, == and != on the allowed fields and rejects others", () => {
    const requirements = parseFieldSelector("metadata.name=web,metadata.namespace!=kube-system", ["metadata.name", "metadata.namespace"]);
    expect(requirements).toEqual([
      { field: "metadata.name", value: "web", equal: true },
      { field: "metadata.namespace", value: "kube-system", equal: false },
    ]);
    expect(() => parseFieldSelector("spec.replicas=2", ["metadata.name"])).toThrow("field label not supported: spec.replicas");
  });
});
