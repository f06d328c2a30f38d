import { expect, test } from "@playwright/test";
import { E2E_ADMIN_PASSWORD, expectAccessible, screenshot, signIn } from "./console";
import { assertLoopback } from "./guard";

test.beforeAll(({ baseURL }) => assertLoopback(baseURL));

test("a visitor is sent to sign in, a wrong password is refused, the admin gets the console", async ({ page }, testInfo) => {
  await page.goto("/?from=test");
  await expect(page).toHaveURL(/\/sign-in\?next=%2F%3Ffrom%3Dtest$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expectAccessible(page);
  await screenshot(page, testInfo, "sign-in");

  await page.getByLabel("User name").fill("admin");
  await page.getByLabel("Password").fill(`${E2E_ADMIN_PASSWORD}-wrong`);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText(/invalid user name or password/i)).toBeVisible();

  await page.getByLabel("Password").fill(E2E_ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Back where the visitor was going.
  await expect(page).toHaveURL(/\/\?from=test$/);
  await expect(page.locator(".user-box")).toContainText("admin");
  await expect(page.getByRole("note")).toContainText("Sandbox");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await signIn(page);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
});
