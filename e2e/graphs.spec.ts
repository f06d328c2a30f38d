/**
 * The graph pages against the production build in sandbox mode: a graph deployed through the
 * REST API (as a script would), then the list with its filters, the detail (topology, services,
 * placement explanation, scaling history, Grafana panels, operations), stop and start with
 * confirmation, re-place with a preview that is applied, what a viewer sees, and removal.
 */
import { expect as baseExpect, test, type APIRequestContext, type Page } from "@playwright/test";
import { expectAccessible, screenshot, signIn } from "./console";
import { assertLoopback } from "./guard";

// The sandbox deploys for real (helm, Karmada emulator) on a small shared machine: allow it time.
const expect = baseExpect.configure({ timeout: 15_000 });
test.describe.configure({ mode: "serial", timeout: 120_000 });
test.beforeAll(({ baseURL }) => assertLoopback(baseURL));

const PROJECT = "vision";
const GRAPH = "video-analytics";
const VIEWER = { username: "graph-viewer", password: "viewer-password-1" };

/**
 * Six services: two pinned by the descriptor (static placement) to stockholm and paris, a GPU
 * detector, latency QoS on the links, and one event-triggered service that stays Pending.
 */
const DESCRIPTOR = `hdaGraph:
  imVersion: 0.4.0
  id: ${GRAPH}
  version: "1.0.0"
  designer: e2e
  description: Cameras to alerts, across three clusters
  hdaGraphIntent:
    useStaticPlacement: True
    highAvailability: { enabled: False }
    energyEfficiency: { enabled: False }
  services:
${[
  service("camera-ingest", { cpu: "light", connects: ["frame-decoder"], latencies: { "frame-decoder": "low" }, pinned: "stockholm" }),
  service("frame-decoder", { cpu: "small", connects: ["object-detector"], latencies: { "object-detector": "ultralow" } }),
  service("object-detector", { cpu: "medium", gpu: true, connects: ["tracker"], latencies: { tracker: "low" } }),
  service("tracker", { cpu: "small", connects: ["incident-recorder"] }),
  service("incident-recorder", { cpu: "light", event: true }),
  service("ops-dashboard", { cpu: "light", connects: ["tracker"], pinned: "paris" }),
].join("\n")}
`;

function service(id: string, options: { cpu: string; gpu?: boolean; connects?: string[]; latencies?: Record<string, string>; pinned?: string; event?: boolean }): string {
  const trigger = options.event
    ? `event:
            condition: ANY
            events:
              - id: incident-event
                source: [{ serviceId: tracker, metricId: incidents }]
                condition: { promQuery: 'vector(0) > 1', gracePeriod: 1m, description: "An incident was tracked" }`
    : "auto: { dependencies: [] }";
  const latencies = Object.entries(options.latencies ?? {}).map(([target, qos]) => `{ connectionPoint: "${target}", qos: "${qos}" }`);
  return `    - id: ${id}
      deployment:
        trigger:
          ${trigger}
        intent:
          network:
            latencies: [${latencies.join(", ")}]
          compute: { cpu: "${options.cpu}", ram: "${options.cpu}", storage: "small", gpu: { enabled: ${options.gpu ? "True" : "False"} } }
          coLocation: []
          connectionPoints: ${JSON.stringify(options.connects ?? [])}
          metrics: []
      artifact:
        ociImage: "oci://127.0.0.1:5000/vision/${id}"
        ociConfig: { type: App, implementer: HELM }
        ociRun: { name: HELM, version: v3 }
        valuesOverwrite: ${options.pinned ? `{ clustersAffinity: ["${options.pinned}"] }` : "{}"}`;
}

/** A tRPC call as the signed-in browser makes it (cookie session, same origin), superjson-encoded. */
async function trpc(request: APIRequestContext, baseURL: string, path: string, input: unknown, type: "query" | "mutation" = "mutation"): Promise<{ status: number; data: unknown }> {
  const response =
    type === "mutation"
      ? await request.post(`/api/trpc/${path}`, { data: { json: input }, headers: { origin: baseURL } })
      : await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  const body = (await response.json()) as { result?: { data?: { json?: unknown } } };
  return { status: response.status(), data: body.result?.data?.json };
}

async function graphStatus(page: Page): Promise<string | null> {
  return page.locator("header.page-header .badge").first().getAttribute("data-status");
}

async function confirm(page: Page, button: string, confirmLabel: string): Promise<void> {
  await page.getByRole("button", { name: button, exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: confirmLabel, exact: true }).click();
  await expect(dialog).toBeHidden();
}

test("deployed through the REST API, the graph is listed; the filters live in the URL", async ({ page, baseURL }, testInfo) => {
  await signIn(page);
  await page.goto(`/graphs?project=${PROJECT}`);
  await expect(page.getByRole("heading", { level: 1, name: "Graphs" })).toBeVisible();
  await expect(page.getByText("No graph matches these filters")).toBeVisible();

  const clusters = await trpc(page.request, baseURL!, "clusters.sync", undefined);
  expect(clusters.status).toBe(200);
  const deployed = await page.request.post(`/api/v1/project/${PROJECT}/graphs`, { data: DESCRIPTOR, headers: { "content-type": "application/yaml", origin: baseURL! } });
  expect(deployed.status(), await deployed.text()).toBe(202);

  await page.goto("/graphs");
  const row = page.getByRole("row", { name: new RegExp(GRAPH) });
  await expect(row).toBeVisible();
  await expect(row.getByText(PROJECT, { exact: true })).toBeVisible();
  await expect(row.locator(".badge")).toHaveAttribute("data-status", "Running", { timeout: 30_000 });
  await expect(row).toContainText("5/6 deployed");
  await expect(row).toContainText("1 pending");
  await expect(page.getByRole("button", { name: new RegExp(`^${PROJECT}`) })).toContainText("1 graph · 1 running · 6 services");

  await page.getByLabel("Status").selectOption("Stopped");
  await expect(page).toHaveURL(/status=Stopped/);
  await expect(page.getByText("No graph matches these filters")).toBeVisible();
  await page.getByLabel("Status").selectOption("Running");
  await page.getByLabel("Project", { exact: true }).selectOption(PROJECT);
  await expect(page).toHaveURL(new RegExp(`project=${PROJECT}`));
  await expect(row).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Status")).toHaveValue("Running");
  await expect(row).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, "graphs-list");
  await page.emulateMedia({ colorScheme: "dark" });
  await screenshot(page, testInfo, "graphs-list-dark");
});

test("the detail shows the topology by cluster, the services, and why each is placed where it is", async ({ page }, testInfo) => {
  await signIn(page);
  await page.goto("/graphs");
  await page.getByRole("link", { name: GRAPH }).click();
  await expect(page).toHaveURL(new RegExp(`/graphs/${GRAPH}$`));
  await expect(page.getByRole("heading", { level: 1, name: GRAPH })).toBeVisible();

  const topology = page.getByTestId("topology");
  await expect(topology).toBeVisible({ timeout: 30_000 });
  // One lane per cluster, each service inside the lane of its cluster.
  await expect(topology.locator(".react-flow__node-service")).toHaveCount(6);
  await expect(topology.locator(".react-flow__node-cluster")).toHaveCount(3);
  for (const cluster of ["frankfurt", "paris", "stockholm"]) await expect(topology.locator(".react-flow__node-cluster", { hasText: cluster })).toBeVisible();
  await expect(topology.locator(".react-flow__node-service", { hasText: "camera-ingest" })).toHaveAttribute("aria-label", /on stockholm/);
  await expect(topology.locator(".react-flow__node-service", { hasText: "object-detector" })).toHaveAttribute("aria-label", /on frankfurt/);
  // Five links; camera-ingest → frame-decoder and ops-dashboard → tracker leave their cluster and are marked.
  await expect(topology.locator(".react-flow__edge")).toHaveCount(5);
  await expect(topology.locator(".react-flow__edge.edge-cross-cluster")).toHaveCount(2);
  await expect(topology.getByText("cross-cluster · low latency")).toBeVisible();
  await expect(topology.getByText("ultra-low latency")).toBeVisible();

  // Click a node: its details open beside the drawing.
  await topology.locator(".react-flow__node-service", { hasText: "object-detector" }).click();
  const panel = page.getByTestId("service-panel");
  await expect(panel.getByRole("heading", { name: "object-detector" })).toBeVisible();
  await expect(panel).toContainText("frankfurt");
  await expect(panel).toContainText("tracker (low latency)");
  await expect(panel).toContainText("GPU");
  // The keyboard reaches the nodes too.
  await topology.locator(".react-flow__node-service", { hasText: "tracker" }).focus();
  await page.keyboard.press("Enter");
  await expect(panel.getByRole("heading", { name: "tracker" })).toBeVisible();

  const services = page.getByRole("region", { name: "Services" });
  await expect(services.getByRole("row")).toHaveCount(7);
  const recorder = services.getByRole("row", { name: /incident-recorder/ });
  await expect(recorder.locator(".badge")).toHaveAttribute("data-status", "Pending");
  await expect(services.getByRole("row", { name: /camera-ingest/ })).toContainText("127.0.0.1:5000/vision/camera-ingest");

  const placement = page.getByRole("region", { name: "Placement and why" });
  await expect(placement.getByTestId("explanation-camera-ingest")).toContainText("Pinned by the descriptor");
  const detector = placement.getByTestId("explanation-object-detector");
  await expect(detector).toContainText(/first-fit: the first cluster/i);
  await expect(detector.getByText("no GPU").first()).toBeVisible();
  await expect(detector.getByRole("heading", { name: "Moving it would cost" })).toBeVisible();

  const monitoring = page.getByRole("region", { name: "Monitoring" });
  await expect(monitoring.locator("iframe[title^='Request rate of every service']")).toHaveAttribute("src", /\/d-solo\/.*panelId=4.*var-service=%24__all/);
  await expect(monitoring.locator("iframe")).toHaveCount(6);
  // The panels load (lazily, once in view) from the sandbox's Grafana: the page's CSP lets them be framed.
  await monitoring.scrollIntoViewIfNeeded();
  await expect(monitoring.frameLocator("iframe[title^='Request rate of every service']").locator("h1")).toContainText("request rate");
  await expect(monitoring.frameLocator("iframe[title^='RAM usage of camera-ingest']").locator("h1")).toContainText("RAM usage");

  const operations = page.getByRole("region", { name: "Operations" });
  await operations.getByRole("button", { name: /deploy/ }).click();
  await expect(operations.getByRole("list", { name: "Steps of deploy" })).toContainText("helm-install");

  await expectAccessible(page);
  await screenshot(page, testInfo, "graph-detail");
  await page.getByRole("region", { name: "Topology" }).screenshot({ path: testInfo.outputPath("graph-topology.png") });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.reload();
  await expect(page.getByTestId("topology").locator(".react-flow__node-service")).toHaveCount(6, { timeout: 30_000 });
  await expectAccessible(page);
  await screenshot(page, testInfo, "graph-detail-dark");
  await page.getByRole("region", { name: "Topology" }).screenshot({ path: testInfo.outputPath("graph-topology-dark.png") });
});

test("scaling history charts request rate, capacity and replicas with the scaler's decisions and a text summary", async ({ page, baseURL }, testInfo) => {
  await signIn(page);
  const input = {
    graphName: GRAPH,
    serviceName: "tracker",
    mode: "milp",
    enabled: true,
    alpha: 5,
    beta: 0,
    minReplicas: 1,
    maxReplicas: 4,
    intervalSeconds: 5,
    window: "1m",
    cooldownSeconds: 0,
  };
  expect((await trpc(page.request, baseURL!, "scaling.upsertPolicy", input)).status).toBe(200);
  // The scaler evaluates the policy every 5 s: wait for its first decisions.
  await expect
    .poll(async () => ((await trpc(page.request, baseURL!, "scaling.decisions", { graphName: GRAPH }, "query")).data as unknown[] | undefined)?.length ?? 0, { timeout: 45_000 })
    .toBeGreaterThan(1);
  await page.goto(`/graphs/${GRAPH}`);
  const scaling = page.getByRole("region", { name: "Scaling history" });
  await expect(scaling.getByLabel("Service")).toHaveValue("tracker");
  const summary = scaling.getByTestId("scaling-summary");
  await expect(summary).toContainText(/(Over the last 60 minutes|since its metrics begin,) tracker served/);
  await expect(summary).toContainText(/its replicas serve up to [\d.]+ req\/s now/);
  await expect(summary).toContainText(/The scaler decided \d+ times/);
  await expect(scaling.getByRole("figure").locator(".recharts-line")).toHaveCount(3);
  await scaling.getByText(/last \d+ decisions? about tracker/).click();
  await expect(scaling.getByRole("table")).toContainText("req/s");
  // Another service, another window: no policy, so no capacity.
  await scaling.getByLabel("Service").selectOption("frame-decoder");
  await scaling.getByLabel("Window").selectOption("15");
  await expect(summary).toContainText(/(Over the last 15 minutes|since its metrics begin,) frame-decoder (served|had no measured request rate)/);
  await expect(summary).toContainText("Without a scaling policy there is no capacity line.");
  await scaling.getByLabel("Service").selectOption("tracker");
  await scaling.scrollIntoViewIfNeeded();
  await screenshot(page, testInfo, "graph-scaling");
  await scaling.screenshot({ path: testInfo.outputPath("graph-scaling-section.png") });
  // Off again: the next tests' operations must not meet a scaling operation on the same graph.
  const policies = await trpc(page.request, baseURL!, "scaling.policies", { graphName: GRAPH }, "query");
  const { version } = (policies.data as { serviceName: string; version: number }[]).find((entry) => entry.serviceName === "tracker")!;
  expect((await trpc(page.request, baseURL!, "scaling.upsertPolicy", { ...input, enabled: false, version })).status).toBe(200);
});

test("stop and start ask first, show their progress and change the services", async ({ page }, testInfo) => {
  await signIn(page);
  await page.goto(`/graphs/${GRAPH}`);
  await expect(page.getByRole("heading", { level: 1, name: GRAPH })).toBeVisible();

  // Cancelling changes nothing.
  await page.getByRole("button", { name: "Stop", exact: true }).click();
  await expect(page.getByRole("dialog")).toContainText(`Stop ${GRAPH}?`);
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  expect(await graphStatus(page)).toBe("Running");

  await confirm(page, "Stop", "Stop graph");
  await expect(page.getByTestId("operation-progress")).toBeVisible();
  await expect(page.getByTestId("operation-progress")).toContainText("stop succeeded", { timeout: 30_000 });
  await expect.poll(() => graphStatus(page)).toBe("Stopped");
  const services = page.getByRole("region", { name: "Services" });
  await expect(services.getByRole("row", { name: /tracker/ }).locator(".badge")).toHaveAttribute("data-status", "Not deployed");
  await screenshot(page, testInfo, "graph-stopped");

  await confirm(page, "Start", "Start graph");
  await expect(page.getByTestId("operation-progress")).toContainText("start succeeded", { timeout: 30_000 });
  await expect.poll(() => graphStatus(page)).toBe("Running");
  await expect(services.getByRole("row", { name: /tracker/ }).locator(".badge")).toHaveAttribute("data-status", "Deployed");
  const operations = page.getByRole("region", { name: "Operations" });
  for (const kind of ["deploy", "stop", "start"]) await expect(operations.getByRole("button", { name: kind, exact: true })).toBeVisible();
});

test("re-place: the preview shows moves and cost terms, and applying it moves the services", async ({ page }, testInfo) => {
  await signIn(page);
  await page.goto(`/graphs/${GRAPH}`);
  await page.getByRole("button", { name: "Re-place…" }).click();
  const panel = page.getByRole("region", { name: `Re-place ${GRAPH}` });
  await expect(panel).toBeVisible();
  await panel.getByLabel("Algorithm").selectOption("optimal");
  await panel.getByLabel("Balance").fill("400");
  await panel.getByRole("button", { name: "Preview re-placement" }).click();
  const preview = panel.getByTestId("replacement-preview");
  await expect(preview).toBeVisible({ timeout: 30_000 });
  const terms = preview.getByRole("table").last();
  for (const term of ["Migration", "Carbon", "Communication", "Balance", "Objective (weighted)"]) await expect(terms.getByRole("rowheader", { name: term })).toBeVisible();
  const moves = preview.getByRole("table").first();
  await expect(moves.getByRole("columnheader", { name: "From" })).toBeVisible();
  const moved = (await moves.getByRole("rowheader").allTextContents()).filter(Boolean);
  expect(moved.length).toBeGreaterThan(0);
  await expectAccessible(page);
  await screenshot(page, testInfo, "graph-replace-preview");

  // Discard forgets it; a new preview is applied.
  await preview.getByRole("button", { name: "Discard" }).click();
  await expect(preview).toBeHidden();
  await panel.getByRole("button", { name: "Preview re-placement" }).click();
  await expect(preview).toBeVisible({ timeout: 30_000 });
  const target = (await preview.getByRole("table").first().getByRole("row", { name: new RegExp(moved[0]!) }).getByRole("cell").last().textContent())!.trim();
  await confirm(page, "Apply re-placement", "Apply");
  await expect(page.getByTestId("operation-progress")).toContainText("replace succeeded", { timeout: 60_000 });
  await expect(page.getByRole("region", { name: "Services" }).getByRole("row", { name: new RegExp(moved[0]!) })).toContainText(target);
  await expect(page.getByRole("region", { name: "Placement and why" })).toContainText("optimal");
  await screenshot(page, testInfo, "graph-replaced");
});

test("a viewer sees the graph without its actions, and the API refuses the viewer's stop", async ({ page, browser, baseURL }) => {
  await signIn(page);
  const created = await trpc(page.request, baseURL!, "users.create", { ...VIEWER, role: "viewer" });
  expect(created.status).toBe(200);
  const context = await browser.newContext();
  const viewer = await context.newPage();
  try {
    await signIn(viewer, VIEWER.username, VIEWER.password);
    await viewer.goto(`/graphs/${GRAPH}`);
    await expect(viewer.getByRole("heading", { level: 1, name: GRAPH })).toBeVisible();
    await expect(viewer.getByText("Viewers can read this graph; operators act on it.")).toBeVisible();
    for (const action of ["Stop", "Start", "Remove", "Re-place…"]) await expect(viewer.getByRole("button", { name: action, exact: true })).toHaveCount(0);
    await expect(viewer.getByTestId("topology").locator(".react-flow__node-service")).toHaveCount(6, { timeout: 30_000 });
    const refused = await trpc(viewer.request, baseURL!, "graphs.stop", { name: GRAPH });
    expect(refused.status).toBe(403);
  } finally {
    await context.close();
  }
});

test("remove asks first, then the list says the graph is gone", async ({ page }, testInfo) => {
  await signIn(page);
  await page.goto(`/graphs/${GRAPH}`);
  await expect(page.getByRole("heading", { level: 1, name: GRAPH })).toBeVisible();
  await confirm(page, "Remove", "Remove graph");
  await expect(page).toHaveURL(new RegExp(`/graphs\\?removed=${GRAPH}`), { timeout: 60_000 });
  await expect(page.getByRole("status").filter({ hasText: `Graph ${GRAPH} was removed` })).toBeVisible();
  await expect(page.getByRole("link", { name: GRAPH })).toHaveCount(0);
  await screenshot(page, testInfo, "graph-removed");
  await page.goto(`/graphs/${GRAPH}`);
  await expect(page.getByText(`There is no graph named ${GRAPH}`)).toBeVisible();
});
