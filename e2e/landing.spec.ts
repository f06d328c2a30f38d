import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { assertLoopback } from "./guard";

test.beforeAll(({ baseURL }) => assertLoopback(baseURL));

test("the landing page presents the console and the sample graphs, accessibly", async ({ page }, testInfo) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "SMO Console" })).toBeVisible();
  for (const graph of ["image-detection-graph", "gpu-offloading-graph", "resilience-critical-graph"]) {
    await expect(page.getByRole("heading", { level: 3, name: graph })).toBeVisible();
  }
  // The GPU service of the GPU sample is flagged, read through the real descriptor parser.
  await expect(page.getByRole("row", { name: /^ml-inference/ })).toContainText("GPU");
  await page.screenshot({ path: testInfo.outputPath("landing.png"), fullPage: true });

  const scan = await new AxeBuilder({ page }).analyze();
  const serious = scan.violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  expect(serious.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
});
