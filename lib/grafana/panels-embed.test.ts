import { describe, expect, it } from "vitest";
import { startGrafanaEmulator } from "../../sim/grafana";
import { createGrafanaClient } from "./client";
import { buildClusterDashboard, CLUSTER_PANEL_IDS } from "./dashboards";
import { soloPanelUrl } from "./panels";

describe("soloPanelUrl", () => {
  it("turns a dashboard URL into the single-panel URL of one panel", () => {
    expect(soloPanelUrl("http://grafana.example:3000/d/smo-cluster-a/smo-cluster-a", { panelId: 2, theme: "dark" })).toBe(
      "http://grafana.example:3000/d-solo/smo-cluster-a/smo-cluster-a?orgId=1&panelId=2&from=now-1h&to=now&theme=dark",
    );
  });

  it("keeps a sub path, the stored query and adds variables and times", () => {
    const url = soloPanelUrl("https://ops.example/grafana/d/abc/my-board?orgId=3", {
      panelId: 4,
      theme: "light",
      from: "now-6h",
      to: 1_700_000_000_000,
      vars: { service: "web front" },
    });
    expect(url).toBe("https://ops.example/grafana/d-solo/abc/my-board?orgId=3&panelId=4&from=now-6h&to=1700000000000&theme=light&var-service=web+front");
  });

  it("refuses what is not a Grafana dashboard URL", () => {
    expect(soloPanelUrl("not a url", { panelId: 1, theme: "light" })).toBeUndefined();
    expect(soloPanelUrl("http://grafana.example/dashboards", { panelId: 1, theme: "light" })).toBeUndefined();
    expect(soloPanelUrl("javascript:alert(1)//d/x/y", { panelId: 1, theme: "light" })).toBeUndefined();
    expect(soloPanelUrl("http://grafana.example/d/x/y", { panelId: 0, theme: "light" })).toBeUndefined();
  });

  it("gives a URL the Grafana emulator serves as the panel's page", async () => {
    const grafana = await startGrafanaEmulator({ prometheus: { queryRange: async () => ({ resultType: "matrix", result: [], warnings: [] }) } });
    try {
      const client = createGrafanaClient({ url: grafana.url, auth: { kind: "basic", user: "admin", password: "admin" } });
      const published = await client.publishDashboard(buildClusterDashboard("member1"));
      const url = soloPanelUrl(`${grafana.url}${published.url}`, { panelId: CLUSTER_PANEL_IDS.memoryPercent, theme: "light" });
      const response = await fetch(url!);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain("Memory usage");
    } finally {
      await grafana.close();
    }
  });
});
