/**
 * Idempotent helm actions for the lifecycle steps. A step may run again after a crash between
 * helm finishing and the step being recorded as done, so each action first accepts the state a
 * previous attempt may have left: a release already installed is upgraded to the wanted values
 * (never installed twice), a failed one is upgraded, one stuck in a pending state by a dead
 * process is replaced, and uninstalling a release that is gone counts as done.
 */
import type { CoreContext } from "../context";
import { HelmCommandError, type HelmCommandResult, type HelmReleaseStatus, type HelmValues } from "../helm";

/** How long a release left in pending-install/upgrade may be some other helm still working before it is replaced. */
export const PENDING_RELEASE_WAIT_MS = 10_000;
const PENDING_POLL_MS = 250;

export type StepLog = (line: string) => void;

export type ReleaseTarget = { release: string; chart: string; namespace: string; values: HelmValues };

export type EnsureInstalledOutcome = { action: "installed" | "upgraded" | "reinstalled"; revision?: number };

function logHelm(log: StepLog, result: HelmCommandResult): void {
  log(`$ helm ${result.argv.join(" ")} (${result.durationMs} ms)`);
  const output = `${result.stdout}${result.stderr}`.trim();
  if (output) log(output);
}

function isPending(status: HelmReleaseStatus): boolean {
  return status.status.startsWith("pending-") || status.status === "uninstalling";
}

/** Installs the release, or brings an existing one to the wanted values. */
export async function ensureReleaseInstalled(ctx: Pick<CoreContext, "clients">, target: ReleaseTarget, log: StepLog, pendingWaitMs = PENDING_RELEASE_WAIT_MS): Promise<EnsureInstalledOutcome> {
  const helm = ctx.clients.helm;
  try {
    const outcome = await helm.install(target);
    logHelm(log, outcome);
    return { action: "installed", revision: outcome.revision };
  } catch (error) {
    if (!(error instanceof HelmCommandError) || error.reason !== "name-in-use") throw error;
    log(`release ${target.namespace}/${target.release} already exists (an earlier attempt installed it): checking its state`);
  }
  let status = await helm.status(target);
  const deadline = Date.now() + pendingWaitMs;
  while (status && isPending(status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, PENDING_POLL_MS));
    status = await helm.status(target);
  }
  if (!status) {
    // Uninstalled between our install and status: install again.
    const outcome = await helm.install(target);
    logHelm(log, outcome);
    return { action: "installed", revision: outcome.revision };
  }
  if (isPending(status)) {
    log(`release is still ${status.status} after ${pendingWaitMs} ms: the helm that started it is gone; replacing the release`);
    logHelm(log, await helm.uninstall(target));
    const outcome = await helm.install(target);
    logHelm(log, outcome);
    return { action: "reinstalled", revision: outcome.revision };
  }
  log(`release is ${status.status} at revision ${status.revision}: upgrading it to the wanted values`);
  const outcome = await helm.upgrade({ ...target, reuseValues: false });
  logHelm(log, outcome);
  return { action: "upgraded", revision: outcome.revision };
}

/** Uninstalls the release; a release that does not exist counts as uninstalled. */
export async function ensureReleaseRemoved(ctx: Pick<CoreContext, "clients">, target: { release: string; namespace: string }, log: StepLog): Promise<"uninstalled" | "absent"> {
  try {
    logHelm(log, await ctx.clients.helm.uninstall(target));
    return "uninstalled";
  } catch (error) {
    if (error instanceof HelmCommandError && (error.reason === "not-found" || error.reason === "namespace-missing")) {
      log(`release ${target.namespace}/${target.release} is not installed: nothing to uninstall`);
      return "absent";
    }
    throw error;
  }
}

/** `helm upgrade` (with --reuse-values when asked); a repeated upgrade only adds a revision. */
export async function upgradeRelease(ctx: Pick<CoreContext, "clients">, target: ReleaseTarget & { reuseValues: boolean }, log: StepLog): Promise<number | undefined> {
  const outcome = await ctx.clients.helm.upgrade(target);
  logHelm(log, outcome);
  return outcome.revision;
}
