/**
 * What the browser tests share: the console they drive (the production build in sandbox mode,
 * started by playwright.config.ts with a fresh data folder), signing in, and the checks every page gets.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, request, type Page, type TestInfo } from "@playwright/test";

/** The bootstrap admin's password for the e2e console (playwright.config.ts sets SMO_ADMIN_PASSWORD to it). */
export const E2E_ADMIN_PASSWORD = "e2e-admin-password-1";

export async function signIn(page: Page, username = "admin", password = E2E_ADMIN_PASSWORD): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("navigation", { name: "Console" })).toBeVisible();
}

/** No serious or critical accessibility violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const scan = await new AxeBuilder({ page }).analyze();
  const serious = scan.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(" ")).join(", ")})`)).toEqual([]);
}

/** A full-page screenshot kept with the run's artifacts (test-results/), never committed. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: testInfo.outputPath(`${name}.png`), fullPage: true });
}

/**
 * Removes graphs a spec deployed and waits until they are gone, so that the specs after it (one
 * console serves them all) start from a console without them. Signs in as the admin on its own.
 */
export async function removeGraphs(baseURL: string, names: string[]): Promise<void> {
  const api = await request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL } });
  try {
    const signedIn = await api.post("/api/trpc/auth.signIn", { data: { json: { username: "admin", password: E2E_ADMIN_PASSWORD } } });
    expect(signedIn.ok(), await signedIn.text()).toBe(true);
    for (const name of names) {
      const path = `/api/v1/graphs/${encodeURIComponent(name)}`;
      if ((await api.get(path)).status() === 404) continue;
      const removal = await api.delete(path);
      expect([202, 404], await removal.text()).toContain(removal.status());
      await expect.poll(async () => (await api.get(path)).status(), { timeout: 120_000, message: `graph ${name} to be removed` }).toBe(404);
    }
  } finally {
    await api.dispose();
  }
}
