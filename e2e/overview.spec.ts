/**
 * The overview pages against the sandbox console: dashboard, clusters and one cluster, the live
 * event log and the sandbox's scenario controls. The tests run in order on one console: the first
 * deploys a sample graph that the later ones look at.
 */
import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { expectAccessible, screenshot, signIn } from "./console";
import { assertLoopback } from "./guard";

test.describe.configure({ mode: "serial" });
test.beforeAll(({ baseURL }) => assertLoopback(baseURL));

const SAMPLE = readFileSync(new URL("../examples/hdag/image-detection-graph.yaml", import.meta.url), "utf8");
const GRAPH = "image-detection-graph";
const PROJECT = "overview";
const SANDBOX_CLUSTERS = ["frankfurt", "paris", "stockholm", "warsaw"];

/** Calls a tRPC procedure as the signed-in browser user (superjson envelope); returns its result. */
async function trpc<T = unknown>(page: Page, type: "query" | "mutation", path: string, input?: unknown): Promise<T> {
  const response =
    type === "mutation"
      ? await page.request.post(`/api/trpc/${path}`, { data: { json: input ?? null } })
      : await page.request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input ?? null }))}`);
  const body = (await response.json()) as { result?: { data: { json: T } }; error?: { json: { message: string } } };
  if (!response.ok() || !body.result) throw new Error(`${path} failed (${response.status()}): ${body.error?.json.message ?? JSON.stringify(body)}`);
  return body.result.data.json;
}

/** The sandbox syncs its clusters at start; wait for all of them. */
async function waitForClusters(page: Page): Promise<void> {
  await expect
    .poll(async () => (await trpc<{ name: string }[]>(page, "query", "clusters.list")).map((cluster) => cluster.name).sort(), { timeout: 30_000 })
    .toEqual(SANDBOX_CLUSTERS);
}

async function bothSchemes(page: Page, testInfo: Parameters<typeof screenshot>[1], name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: "light" });
  await screenshot(page, testInfo, `${name}-light`);
  await page.emulateMedia({ colorScheme: "dark" });
  await screenshot(page, testInfo, `${name}-dark`);
  await expectAccessible(page);
  await page.emulateMedia({ colorScheme: "light" });
}

test("dashboard: counts, capacity and a deployment arriving live in operations and events", async ({ page }, testInfo) => {
  // The sandbox's deployment of three services takes a while on a busy machine.
  test.setTimeout(150_000);
  await signIn(page);
  await waitForClusters(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  const readyStat = page.locator(".stat", { hasText: "Clusters ready" });
  await expect(readyStat.locator(".stat-value")).toHaveText("4");
  await expect(readyStat).toContainText("of 4");
  await expect(page.getByRole("heading", { name: "Federation capacity" })).toBeVisible();
  await expect(page.getByText(/cores allocated of 120 cores/)).toBeVisible();
  // No graph yet: the page says where to deploy one.
  await expect(page.getByText("No application graphs yet")).toBeVisible();
  // Earlier specs share this console: whatever happened last is listed.
  await expect(page.getByRole("list", { name: "Recent events" }).getByRole("listitem").first()).toBeVisible();

  // A deployment made elsewhere shows up without a reload: the graph counts and its events.
  await trpc(page, "mutation", "graphs.deploy", { project: PROJECT, descriptor: { text: SAMPLE } });
  // The deployment (three helm installs in the sandbox: many seconds) is followed while it runs.
  const active = page.getByRole("list", { name: "Operations in progress" });
  await expect(active).toContainText(`deploy of graph ${GRAPH}`, { timeout: 15_000 });
  await expect(active.getByRole("link", { name: GRAPH })).toHaveAttribute("href", `/graphs/${GRAPH}`);
  await expect(page.locator(".stat", { hasText: "Graphs running" }).locator(".stat-value")).toHaveText("1", { timeout: 90_000 });
  await expect(page.getByText("No application graphs yet")).toBeHidden();
  const recent = page.getByRole("list", { name: "Recent events" });
  await expect(recent.getByRole("link", { name: GRAPH }).first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText("Nothing is running now.")).toBeVisible({ timeout: 30_000 });
  await bothSchemes(page, testInfo, "dashboard");

  await recent.getByRole("link", { name: GRAPH }).first().click();
  await expect(page).toHaveURL(new RegExp(`/graphs/${GRAPH}$`));
});

test("clusters: capacity charts with the same figures in a table, readiness, carbon, sync from Karmada", async ({ page }, testInfo) => {
  await signIn(page);
  await page.goto("/clusters");
  await expect(page.getByRole("heading", { level: 1, name: "Clusters" })).toBeVisible();
  await expect(page.getByRole("figure")).toHaveCount(3);
  // Allocated and available bars for every cluster; only frankfurt has GPUs (none allocated: a zero bar is not drawn).
  for (const [title, bars] of [["CPU", 8], ["Memory", 8], ["GPU", 1]] as const) {
    const chart = page.getByRole("figure", { name: new RegExp(`^${title} allocated and available`) });
    await expect(chart.locator(".recharts-bar-rectangle")).toHaveCount(bars);
  }

  const table = page.getByRole("table", { name: /member clusters/i });
  for (const name of SANDBOX_CLUSTERS) await expect(table.getByRole("rowheader", { name })).toBeVisible();
  const frankfurt = table.getByRole("row", { name: /frankfurt/ });
  await expect(frankfurt).toContainText("Ready");
  await expect(frankfurt).toContainText("380 gCO₂/kWh");
  await expect(frankfurt).toContainText("of 64 cores");
  await expect(frankfurt).toContainText("of 4 GPUs");

  await page.getByRole("button", { name: "Sync from Karmada" }).click();
  await expect(page.getByText(/^Synced 4 clusters:/)).toBeVisible({ timeout: 30_000 });
  await bothSchemes(page, testInfo, "clusters");
});

test("cluster detail: placed services, Grafana panels, attributes edited with errors at the field", async ({ page }, testInfo) => {
  await signIn(page);
  const graph = await trpc<{ services: { name: string; clusters: string[] }[] }>(page, "query", "graphs.get", { name: GRAPH });
  const placed = graph.services.find((service) => service.clusters.length > 0)!;
  const cluster = placed.clusters[0]!;

  await page.goto("/clusters");
  await page.getByRole("table", { name: /member clusters/i }).getByRole("link", { name: cluster }).click();
  await expect(page.getByRole("heading", { level: 1, name: cluster })).toBeVisible();
  const services = page.getByRole("table", { name: `Services placed on cluster ${cluster}` });
  await expect(services.getByRole("rowheader", { name: placed.name })).toBeVisible();
  await expect(services.getByRole("link", { name: GRAPH }).first()).toHaveAttribute("href", `/graphs/${GRAPH}`);

  // Grafana's panels, embedded one by one and rendered by the sandbox's Grafana.
  const panels = page.locator("iframe");
  await expect(panels).toHaveCount(4);
  await expect(panels.first()).toHaveAttribute("title", new RegExp(`CPU usage .* of cluster ${cluster}`));
  await expect(panels.first()).toHaveAttribute("src", /\/d-solo\/smo-cluster-/);
  await expect(page.frameLocator("iframe").first().getByText("CPU usage")).toBeVisible({ timeout: 15_000 });

  // Attributes (admin): the server's range check is shown at its field, a good value is saved.
  const carbon = page.getByLabel("Carbon intensity (gCO₂/kWh)");
  await carbon.fill("5000");
  await page.getByRole("button", { name: "Save attributes" }).click();
  await expect(carbon).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(/must be between 0 and 2000 gCO2\/kWh, got 5000/)).toBeVisible();
  await carbon.fill("123");
  await page.getByLabel("Location").fill("Test site");
  await page.getByRole("button", { name: "Save attributes" }).click();
  await expect(page.getByText(/^Saved \(version \d+\)\.$/)).toBeVisible();
  await expect(carbon).not.toHaveAttribute("aria-invalid", "true");
  await expect(page.locator(".stat", { hasText: "Carbon intensity" }).locator(".stat-value")).toHaveText("123");
  await expect(page.locator(".page-header")).toContainText("Test site");
  await screenshot(page, testInfo, "cluster-detail");
  await expectAccessible(page);
});

test("events: filters in the URL, newest first, a new event appears without a reload", async ({ page }, testInfo) => {
  await signIn(page);
  await page.goto("/events");
  await expect(page.getByRole("heading", { level: 1, name: "Events" })).toBeVisible();
  const list = page.getByRole("list", { name: "Events, newest first" });
  await expect(list.locator("li").first()).toBeVisible();
  const ids = await list.locator("li").evaluateAll((items) => items.map((item) => Number(item.getAttribute("data-event-id"))));
  expect(ids).toEqual([...ids].sort((a, b) => b - a));

  await page.getByLabel("Cluster").selectOption("paris");
  await expect(page).toHaveURL(/\/events\?cluster=paris$/);
  await expect(list.locator("li").first()).toBeVisible();
  for (const item of await list.locator("li").all()) await expect(item.getByRole("link", { name: "paris" })).toBeVisible();

  // Shared link: the same filters from the URL alone.
  await page.goto("/events?cluster=paris&severity=info");
  await expect(page.getByLabel("Cluster")).toHaveValue("paris");
  await expect(page.getByLabel("Severity")).toHaveValue("info");

  // Something happens to paris: it appears at the top, live.
  const paris = await trpc<{ version: number }>(page, "query", "clusters.get", { name: "paris" });
  await trpc(page, "mutation", "clusters.updateAttributes", { name: "paris", version: paris.version, carbonIntensity: 61 });
  await expect(list.locator("li").first()).toContainText("carbon intensity 61 gCO2/kWh on cluster paris", { timeout: 15_000 });
  await expect(page.getByText(/new events? since the page opened/)).toBeVisible();
  await expect(list.locator("li").first()).toContainText("cluster.attributes-updated");

  await page.getByLabel("Kind").fill("no.such-kind");
  await page.getByLabel("Kind").press("Enter");
  await expect(page).toHaveURL(/kind=no.such-kind/);
  await expect(page.getByText("No events match these filters")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/events$/);
  await expect(list.locator("li").first()).toBeVisible();
  await screenshot(page, testInfo, "events");
  await expectAccessible(page);
});

test("sandbox: fire a conditional service's alert, steer load, take a cluster offline and back", async ({ page }, testInfo) => {
  test.setTimeout(150_000);
  await signIn(page);
  await page.goto("/sandbox");
  await expect(page.getByRole("heading", { level: 1, name: "Sandbox" })).toBeVisible();

  // The image-detection sample's compression service waits for its event.
  const conditional = page.getByRole("table", { name: "Event-triggered services" });
  const compression = conditional.getByRole("row", { name: /image-compression-vo/ });
  await expect(compression).toContainText("Pending");
  await page.getByRole("button", { name: "Fire the alert of image-compression-vo" }).click();
  await expect(page.getByText(/Alert main-event fired for image-compression-vo/)).toBeVisible({ timeout: 30_000 });
  await expect(compression).toContainText("Deployed", { timeout: 90_000 });

  // Load on a deployed service, through the exact input (the slider follows it).
  await page.getByRole("combobox", { name: "Service" }).selectOption("noise-reduction");
  await page.getByLabel("Requests per second, exact").fill("300");
  await expect(page.getByLabel("Requests per second", { exact: true })).toHaveValue("300");
  await page.getByRole("button", { name: "Set load" }).click();
  await expect(page.getByText("noise-reduction now receives 300 requests/s", { exact: false })).toBeVisible();
  await expect(page.getByRole("table", { name: "Request rate now" }).getByRole("row", { name: /noise-reduction/ })).toContainText("300", { timeout: 15_000 });

  // warsaw goes offline: the federation and then SMO (after the sync the page runs) see it.
  const clusters = page.getByRole("list", { name: "Member clusters" });
  await page.getByRole("button", { name: "Make warsaw not ready" }).click();
  await expect(page.getByText(/warsaw is NotReady in the federation, and SMO now sees it as not ready/)).toBeVisible({ timeout: 30_000 });
  await expect(clusters.getByRole("listitem").filter({ hasText: "warsaw" })).toContainText("Not ready");
  expect((await trpc<{ ready: boolean }>(page, "query", "clusters.get", { name: "warsaw" })).ready).toBe(false);
  await screenshot(page, testInfo, "sandbox");
  await expectAccessible(page);

  await page.getByRole("button", { name: "Make warsaw ready again" }).click();
  await expect(page.getByText(/warsaw is Ready in the federation, and SMO now sees it as Ready/)).toBeVisible({ timeout: 30_000 });
  await expect(clusters.getByRole("listitem").filter({ hasText: "warsaw" })).toContainText("Ready");
});

test("a viewer sees the overview pages without their actions, and the API refuses them", async ({ page }) => {
  await signIn(page);
  await trpc(page, "mutation", "users.create", { username: "overview-viewer", password: "viewer-password-1", role: "viewer" });
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "overview-viewer", "viewer-password-1");

  await page.goto("/clusters");
  await expect(page.getByRole("table", { name: /member clusters/i })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sync from Karmada" })).toHaveCount(0);

  await page.goto("/clusters/paris");
  await expect(page.getByRole("heading", { level: 1, name: "paris" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Attributes" })).toHaveCount(0);

  await page.goto("/sandbox");
  await expect(page.getByText("running them needs the operator role")).toBeVisible();
  await expect(page.getByRole("button", { name: "Make paris not ready" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Set load" })).toBeDisabled();
  await expect(trpc(page, "mutation", "sandbox.setClusterReady", { name: "paris", ready: false })).rejects.toThrow(/\(403\)/);
  await expect(trpc(page, "mutation", "clusters.sync")).rejects.toThrow(/\(403\)/);
  await expectAccessible(page);
});
