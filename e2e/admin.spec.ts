/**
 * Settings, users, API tokens and the API reference, as an admin and as a viewer; and the bundles
 * benchmark checked against what the browser really downloads.
 */
import { expect, test, type Page, type TestInfo } from "@playwright/test";
import { measureRouteBundles } from "../bench/bundles";
import { E2E_ADMIN_PASSWORD, expectAccessible, screenshot, signIn } from "./console";
import { assertLoopback } from "./guard";

test.beforeAll(({ baseURL }) => assertLoopback(baseURL));
// Later tests use the viewer the admin creates; axe and screenshots in two colour schemes take a while on a busy machine.
test.describe.configure({ mode: "serial", timeout: 180_000 });

const VIEWER = { username: "vera", initialPassword: "vera-password-0", password: "vera-password-1" };

/** Axe and a screenshot in the light scheme, then both again in the dark one. */
async function checkBothSchemes(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: "light" });
  await expectAccessible(page);
  await screenshot(page, testInfo, `${name}-light`);
  await page.emulateMedia({ colorScheme: "dark" });
  await expectAccessible(page);
  await screenshot(page, testInfo, `${name}-dark`);
  await page.emulateMedia({ colorScheme: "light" });
}

test("settings shows every connection and no secret", async ({ page }, testInfo) => {
  await signIn(page);
  // What the page reads: the configured systems, and no credential of any of them.
  const answer = await page.request.get("/api/trpc/settings.get");
  expect(answer.status()).toBe(200);
  const body = await answer.text();
  expect(body).toContain('"systems"');
  expect(body).not.toContain(E2E_ADMIN_PASSWORD);
  expect(body).not.toMatch(/"(password|token|secret)"\s*:/i);
  await page.goto("/settings");

  await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  const connections = page.getByRole("region", { name: "Connections" }).getByRole("listitem");
  await expect(connections).toHaveCount(4);
  for (const name of ["Karmada", "Prometheus", "Grafana", "Database"]) {
    await expect(connections.filter({ has: page.getByRole("heading", { name, exact: true }) })).toContainText("Connected");
  }
  await expect(page.getByRole("button", { name: "Save placement settings" })).toBeDisabled();
  await page.getByLabel("Solver time limit (seconds)").fill("45");
  await page.getByRole("button", { name: "Save placement settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await expect(page.getByText(/Changed by admin on/)).toBeVisible();
  await checkBothSchemes(page, testInfo, "settings");
});

test("an admin manages users (the last admin stays protected), and creates an operator token shown once, then revokes it", async ({ page }, testInfo) => {
  await signIn(page);
  await page.goto("/settings/users");
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  const admins = page.getByRole("row", { name: /admin/ });
  await expect(admins).toHaveCount(1);

  // The last admin's protection comes back as a clear refusal.
  await page.getByRole("button", { name: "Disable admin" }).click();
  await page.getByRole("dialog", { name: "Disable admin?" }).getByRole("button", { name: "Disable" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "admin was not updated" })).toContainText('"admin" is the last enabled admin: make another user admin first');

  const create = page.getByRole("region", { name: "Create a user" });
  await create.getByLabel("User name").fill(VIEWER.username);
  await create.getByLabel("Initial password").fill(VIEWER.initialPassword);
  await create.getByLabel("Role").selectOption("viewer");
  await create.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${VIEWER.username} was created.` })).toBeVisible();
  const row = page.getByRole("row", { name: new RegExp(VIEWER.username) });
  await expect(row).toContainText("viewer");
  await expect(row).toContainText("Active");
  await checkBothSchemes(page, testInfo, "users");

  // Reset the viewer's password (the viewer test signs in with the new one), then a role change and a deletion on a spare account.
  await row.getByRole("button", { name: `Reset the password of ${VIEWER.username}` }).click();
  const reset = page.getByRole("dialog", { name: `Reset the password of ${VIEWER.username}` });
  await reset.getByLabel("New password").fill(VIEWER.password);
  await reset.getByLabel("New password").press("Enter");
  await expect(page.getByRole("status").filter({ hasText: `${VIEWER.username}'s password was reset` })).toBeVisible();

  await create.getByLabel("User name").fill("spare");
  await create.getByLabel("Initial password").fill("spare-password-1");
  await create.getByRole("button", { name: "Create user" }).click();
  const spare = page.getByRole("row", { name: /spare/ });
  await spare.getByRole("button", { name: "Change the role of spare" }).click();
  const roleDialog = page.getByRole("dialog", { name: "Change the role of spare" });
  await roleDialog.getByLabel("New role").selectOption("operator");
  await roleDialog.getByRole("button", { name: "Change role" }).click();
  await expect(spare).toContainText("operator");
  await spare.getByRole("button", { name: "Delete spare" }).click();
  await page.getByRole("dialog", { name: "Delete spare?" }).getByRole("button", { name: "Delete user" }).click();
  await expect(page.getByRole("status").filter({ hasText: "spare was deleted." })).toBeVisible();
  await expect(spare).toHaveCount(0);

  await page.getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();
  await expect(page.getByText("No API tokens yet")).toBeVisible();
  const form = page.getByRole("region", { name: "Create a token" });
  await form.getByLabel("Name").fill("e2e-operator");
  await form.getByLabel("Role").selectOption("operator");
  await form.getByLabel("Expires after (days)").fill("30");
  await form.getByRole("button", { name: "Create token" }).click();
  const plaintext = form.getByLabel("The new token");
  await expect(plaintext).toHaveValue(/^smo_[A-Za-z0-9_-]{43}$/);
  const token = await plaintext.inputValue();
  await expect(form).toContainText("This is the only time it is shown");
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await form.getByRole("button", { name: "Copy" }).click();
  await expect(form.getByRole("status")).toHaveText("Copied to the clipboard.");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  const tokenRow = page.getByRole("row", { name: /e2e-operator/ });
  await expect(tokenRow).toContainText("operator");
  await expect(tokenRow).toContainText("Active");
  await expect(tokenRow).toContainText(token.slice(0, 12));
  await checkBothSchemes(page, testInfo, "tokens-created");

  // The token works for the API as an operator.
  const asToken = await page.request.get("/api/v1/clusters", { headers: { authorization: `Bearer ${token}` } });
  expect(asToken.status()).toBe(200);

  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "API tokens" })).toBeVisible();
  await expect(tokenRow).toBeVisible();
  expect(await page.content()).not.toContain(token);
  await expect(page.getByLabel("The new token")).toHaveCount(0);

  await tokenRow.getByRole("button", { name: "Revoke e2e-operator" }).click();
  await page.getByRole("dialog", { name: /Revoke the token/ }).getByRole("button", { name: "Revoke token" }).click();
  await expect(tokenRow).toContainText("Revoked");
  await expect(tokenRow.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
  const revoked = await page.request.get("/api/v1/clusters", { headers: { authorization: `Bearer ${token}` } });
  expect(revoked.status()).toBe(401);
  await checkBothSchemes(page, testInfo, "tokens-revoked");
});

test("a viewer sees no admin actions and the API refuses their changes", async ({ browser, baseURL }, testInfo) => {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  try {
    await signIn(page, VIEWER.username, VIEWER.password);
    await page.goto("/settings");
    await expect(page.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
    await expect(page.getByText("Only admins can change these settings.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Save placement settings" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Connections" }).getByRole("listitem")).toHaveCount(4);
    await checkBothSchemes(page, testInfo, "settings-viewer");

    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Users" }).click();
    await expect(page.getByText("Admins only")).toBeVisible();
    await expect(page.getByRole("button", { name: /Create user|Delete|Disable/ })).toHaveCount(0);
    await checkBothSchemes(page, testInfo, "users-viewer");

    const sync = await page.request.post("/api/trpc/clusters.sync", { data: {} });
    expect(sync.status()).toBe(403);
    const createUser = await page.request.post("/api/trpc/users.create", { data: { json: { username: "mallory", password: "mallory-password", role: "admin" } } });
    expect(createUser.status()).toBe(403);
  } finally {
    await context.close();
  }
});

test("the API reference lists the REST operations from the OpenAPI document", async ({ page }, testInfo) => {
  await signIn(page);
  await page.goto("/settings/api");
  await expect(page.getByRole("heading", { level: 1, name: "API reference" })).toBeVisible();
  const clusters = page.getByRole("article", { name: "GET /api/v1/clusters" });
  await expect(clusters).toBeVisible();
  await expect(clusters).toContainText("Member clusters with their available capacity");
  await expect(clusters).toContainText("Viewer or above");
  await clusters.getByText("application/json — Cluster[]").click();
  await expect(clusters.getByRole("rowheader", { name: /available_cpu/ })).toBeVisible();
  await expect(page.getByRole("article", { name: "POST /api/v1/alerts" })).toContainText("Webhook token");
  await expect(page.getByRole("link", { name: "OpenAPI JSON" })).toHaveAttribute("href", "/api/v1/openapi.json");
  await checkBothSchemes(page, testInfo, "api-reference");
});

test("the bundles benchmark counts the scripts a page's HTML makes the browser download", async ({ page, browser, baseURL }) => {
  const report = measureRouteBundles(".next");
  const expected = report.routes.find((row) => row.route === "/settings");
  expect(expected, "the build has a /settings page").toBeDefined();

  await signIn(page);
  // A second context with the same session and an empty HTTP cache: every chunk travels over the wire.
  const fresh = await browser.newContext({ baseURL, storageState: await page.context().storageState() });
  try {
    const settings = await fresh.newPage();
    const downloads = new Map<string, number>();
    settings.on("requestfinished", async (request) => {
      if (request.resourceType() !== "script") return;
      downloads.set(new URL(request.url()).pathname, (await request.sizes()).responseBodySize);
    });
    const html = await (await settings.goto("/settings"))!.text();
    await expect(settings.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();

    // The HTML's own <script src> (the nomodule polyfill aside) is exactly what the benchmark counts.
    const inHtml = [...html.matchAll(/<script src="\/_next\/([^"]+)"(?![^>]*noModule)/g)].map((match) => match[1]!);
    expect(inHtml.toSorted()).toEqual(expected!.chunks.toSorted());
    // The browser downloaded each of them compressed: the benchmark's gzip total is what went over the wire, give or take the compressor's framing.
    await expect.poll(() => expected!.chunks.every((chunk) => downloads.has(`/_next/${chunk}`))).toBe(true);
    const transferred = expected!.chunks.reduce((sum, chunk) => sum + downloads.get(`/_next/${chunk}`)!, 0);
    console.log(`/settings first-load JS: ${transferred} bytes transferred, ${expected!.gzipBytes} bytes counted by the benchmark`);
    expect(Math.abs(transferred - expected!.gzipBytes) / expected!.gzipBytes).toBeLessThan(0.03);
  } finally {
    await fresh.close();
  }
});
