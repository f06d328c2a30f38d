/** Entry point of the sandbox's helm executable (`sim/helm/helm`). */

import { runHelmCli } from "./cli";

// Like helm: SIGTERM kills, except during install/upgrade, where it cancels the operation.
let cancel: (() => void) | undefined;
process.on("SIGTERM", () => (cancel ? cancel() : process.exit(143)));

process.exitCode = await runHelmCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  armCancellation: (onCancel) => (cancel = onCancel),
});
