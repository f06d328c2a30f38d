import { expect, test } from "@playwright/test";
import { E2E_ADMIN_PASSWORD, expectAccessible, screenshot, signIn } from "./console";
import { assertLoopback } from "./guard";

test.beforeAll(({ baseURL }) => assertLoopback(baseURL));

test("a visitor is sent to sign in, a wrong password is refused, the admin gets the console", async ({ page }, testInfo) => {
  await page.goto("/clusters");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fclusters$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, "sign-in");

  await page.getByLabel("User name").fill("admin");
  await page.getByLabel("Password").fill(`${E2E_ADMIN_PASSWORD}-wrong`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText(/invalid|incorrect|wrong/i);

  await page.getByLabel("Password").fill(E2E_ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Back where the visitor was going.
  await expect(page).toHaveURL(/\/clusters$/);
  await expect(page.getByText("admin", { exact: true })).toBeVisible();
  await expect(page.getByRole("note")).toContainText("Sandbox");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
});
