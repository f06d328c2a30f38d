import { defineConfig } from "@playwright/test";

import { E2E_ADMIN_PASSWORD } from "./e2e/console";

const port = Number(process.env.E2E_PORT ?? 3123);
/** A fresh console state for every run: the sandbox federation and PGlite live here. */
const dataDir = "test-results/e2e-data";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  timeout: 60_000,
  retries: 0,
  workers: 1,
  reporter: [["list"]],
  outputDir: "test-results/e2e",
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // No browser can be downloaded here: drive Debian's chromium (STACK.md pitfall 6).
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    },
  },
  webServer: {
    command: `rm -rf ${dataDir} && node node_modules/next/dist/bin/next start -H 127.0.0.1 -p ${port}`,
    url: `http://127.0.0.1:${port}/api/health`,
    env: { SMO_DATA_DIR: dataDir, SMO_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD, LOG_LEVEL: "warn", NEXT_TELEMETRY_DISABLED: "1" },
    stdout: "pipe",
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
