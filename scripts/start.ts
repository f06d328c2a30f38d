/**
 * `npm start`: validates the configuration, builds the console when no production build
 * exists, then runs Next.js directly (not through npx, whose wrapper leaves the server
 * holding the port when killed — STACK.md pitfall 8).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { ConfigError, loadConfig } from "../server/config";

process.env.NEXT_TELEMETRY_DISABLED ??= "1";
const root = path.resolve(import.meta.dirname, "..");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    for (const problem of error.problems) console.error(JSON.stringify({ level: "fatal", msg: "invalid configuration", variable: problem.variable, problem: problem.message }));
    process.exit(1);
  }
  throw error;
}

if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
  console.log(JSON.stringify({ level: "info", msg: "no production build yet: building the console (about a minute)" }));
  const build = spawnSync(process.execPath, [nextBin, "build"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

console.log(JSON.stringify({ level: "info", msg: "starting SMO Console", mode: config.mode, url: `http://localhost:${config.port}`, dataDir: config.dataDir }));
const server = spawn(process.execPath, [nextBin, "start", "-p", String(config.port)], { cwd: root, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
