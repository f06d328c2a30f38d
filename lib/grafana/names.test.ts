import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { dashboardUid, explainInvalidUid, GRAFANA_UID_MAX_LENGTH, panelEmbedUrl, slugifyTitle } from "./names";

describe("dashboardUid", () => {
  it("is readable and stable for short names", () => {
    expect(dashboardUid("cluster", "member1")).toBe("smo-cluster-member1");
    expect(dashboardUid("graph", "demo", "image-detection")).toBe("smo-graph-demo_image-detection");
    expect(dashboardUid("service", "demo", "g", "web")).toBe(dashboardUid("service", "demo", "g", "web"));
  });

  it("never gives two identities the same uid, even when joined names look alike", () => {
    const uids = [
      dashboardUid("graph", "a-b", "c"),
      dashboardUid("graph", "a", "b-c"),
      dashboardUid("service", "a-b", "c", "d"),
      dashboardUid("service", "a", "b-c", "d"),
      dashboardUid("cluster", "a-b"),
    ];
    expect(new Set(uids).size).toBe(uids.length);
  });

  it("stays within Grafana's 40 characters and alphabet, with a hash suffix for long names", () => {
    const long = "x".repeat(53);
    const first = dashboardUid("service", long, long, `${long.slice(0, 52)}a`);
    const second = dashboardUid("service", long, long, `${long.slice(0, 52)}b`);
    for (const uid of [first, second]) {
      expect(uid.length).toBeLessThanOrEqual(GRAFANA_UID_MAX_LENGTH);
      expect(explainInvalidUid(uid)).toBeUndefined();
      expect(uid).toMatch(/-[0-9a-f]{10}$/);
    }
    expect(first).not.toBe(second);
  });

  it("sanitises characters Grafana refuses and then always hashes", () => {
    const uid = dashboardUid("graph", "proj", "my graph/v2");
    expect(explainInvalidUid(uid)).toBeUndefined();
    expect(uid).not.toBe(dashboardUid("graph", "proj", "my-graph-v2"));
  });

  it("rejects empty names", () => {
    expect(() => dashboardUid("cluster", "")).toThrow(ValidationError);
    expect(() => dashboardUid("graph")).toThrow(ValidationError);
  });
});

describe("slugifyTitle", () => {
  it("lower-cases and turns runs of other characters into one dash", () => {
    expect(slugifyTitle("Orchestrator Overview")).toBe("orchestrator-overview");
    expect(slugifyTitle("SMO service demo/g/web")).toBe("smo-service-demo-g-web");
    expect(slugifyTitle("  --Hello,   World!--  ")).toBe("hello-world");
  });
});

describe("panelEmbedUrl", () => {
  it("builds a d-solo URL with every value encoded", () => {
    const url = panelEmbedUrl({
      grafanaUrl: "http://grafana.example:3000/",
      uid: "orch-overview",
      slug: "orchestrator-overview",
      panelId: 1,
      from: 1741062115123,
      to: 1741083715123,
      theme: "dark",
    });
    expect(url).toBe(
      "http://grafana.example:3000/d-solo/orch-overview/orchestrator-overview?orgId=1&panelId=1&from=1741062115123&to=1741083715123&theme=dark",
    );
  });

  it("keeps a sub-path, accepts Dates and relative times, and encodes variables", () => {
    const url = new URL(
      panelEmbedUrl({
        grafanaUrl: "https://host/grafana",
        uid: "smo-graph-demo_g",
        slug: "a b",
        panelId: 4,
        from: "now-6h",
        to: new Date(1_700_000_000_000),
        theme: "light",
        vars: { service: "web&panelId=9 x" },
      }),
    );
    expect(url.pathname).toBe("/grafana/d-solo/smo-graph-demo_g/a%20b");
    expect(url.searchParams.get("panelId")).toBe("4");
    expect(url.searchParams.getAll("panelId")).toHaveLength(1);
    expect(url.searchParams.get("from")).toBe("now-6h");
    expect(url.searchParams.get("to")).toBe("1700000000000");
    expect(url.searchParams.get("var-service")).toBe("web&panelId=9 x");
  });

  it("rejects bad uids, panel ids and times", () => {
    const base = { grafanaUrl: "http://g", uid: "u", slug: "s", panelId: 1, from: "now-1h", to: "now", theme: "dark" } as const;
    expect(() => panelEmbedUrl({ ...base, uid: "a/../../api" })).toThrow(ValidationError);
    expect(() => panelEmbedUrl({ ...base, panelId: 0 })).toThrow(/positive integer/);
    expect(() => panelEmbedUrl({ ...base, from: "yesterday" })).toThrow(/relative time/);
    expect(() => panelEmbedUrl({ ...base, grafanaUrl: "not a url" })).toThrow(/not a valid URL/);
  });
});
