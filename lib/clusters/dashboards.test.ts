import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { clusterOfDashboardStep, joinGrafanaUrl } from "./dashboards";

describe("joinGrafanaUrl", () => {
  it.each([
    ["http://127.0.0.1:3000", "/d/smo-cluster-paris/smo-cluster-paris", "http://127.0.0.1:3000/d/smo-cluster-paris/smo-cluster-paris"],
    ["https://grafana.example.org/", "/d/u/s", "https://grafana.example.org/d/u/s"],
    ["https://example.org/grafana/", "/d/u/s", "https://example.org/grafana/d/u/s"],
    // Grafana behind a sub path already returns URLs that start with it.
    ["https://example.org/grafana", "/grafana/d/u/s", "https://example.org/grafana/d/u/s"],
    ["https://example.org/grafana", "/grafanax/d/u/s", "https://example.org/grafana/grafanax/d/u/s"],
  ])("%s + %s → %s", (base, relative, expected) => {
    expect(joinGrafanaUrl(base, relative)).toBe(expected);
  });
});

describe("clusterOfDashboardStep", () => {
  it("reads the cluster from the step's detail, else its target, and refuses a step naming none", () => {
    expect(clusterOfDashboardStep({ target: "paris", detail: { cluster: "lyon", uid: "smo-cluster-lyon" } })).toBe("lyon");
    expect(clusterOfDashboardStep({ target: "paris", detail: null })).toBe("paris");
    expect(() => clusterOfDashboardStep({ target: null, detail: { cluster: 3 } })).toThrow(ValidationError);
  });
});
