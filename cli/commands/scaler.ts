/**
 * `smo scaler run GRAPH SERVICE …`: the original SMO CLI's threshold scaler, against a console.
 * Like the original, this process owns the loop: every --interval seconds, unless a scaling
 * action happened less than --cooldown seconds ago, it asks the console for one poll
 * (scaling.thresholdStep): the console reads the request rate from Prometheus and the replicas
 * from Karmada, and scales to --up-replicas above --up-threshold or to --down-replicas below
 * --down-threshold. It runs until Ctrl-C, or once with --once. A failed poll is reported and the
 * loop goes on (as the original did); with --once it exits 1.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { callConsole, connectConsole, parseCommandArgs, type ConsoleClient } from "../client";
import { EXIT_FAILED, EXIT_OK, UsageError, type CliCommand, type CliIo } from "../io";

type StepResult = Awaited<ReturnType<ConsoleClient["scaling"]["thresholdStep"]["mutate"]>>;
type Settings = { graphName: string; serviceName: string; upThreshold: number; downThreshold: number; upReplicas: number; downReplicas: number; intervalSeconds: number; cooldownSeconds: number };

function number(name: string, value: string | undefined, options: { integer?: boolean; min: number; fallback?: number }): number {
  if (value === undefined) {
    if (options.fallback !== undefined) return options.fallback;
    throw new UsageError(`missing --${name}`);
  }
  const parsed = Number(value);
  if (value.trim() === "" || !Number.isFinite(parsed) || parsed < options.min || (options.integer && !Number.isInteger(parsed))) {
    throw new UsageError(`--${name} must be ${options.integer ? "a whole number" : "a number"} ≥ ${options.min} (got "${value}")`);
  }
  return parsed;
}

function parseSettings(args: string[]): { settings: Settings; once: boolean; json: boolean } {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      "up-threshold": { type: "string" },
      "down-threshold": { type: "string" },
      "up-replicas": { type: "string" },
      "down-replicas": { type: "string" },
      interval: { type: "string" },
      cooldown: { type: "string" },
      // The original CLI's names for the same two options.
      "poll-interval": { type: "string" },
      "cooldown-period": { type: "string" },
      once: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
    { min: 2, max: 2, names: "the GRAPH and the SERVICE to scale" },
  );
  const settings: Settings = {
    graphName: positionals[0]!,
    serviceName: positionals[1]!,
    upThreshold: number("up-threshold", values["up-threshold"], { min: 0 }),
    downThreshold: number("down-threshold", values["down-threshold"], { min: 0 }),
    upReplicas: number("up-replicas", values["up-replicas"], { integer: true, min: 1 }),
    downReplicas: number("down-replicas", values["down-replicas"], { integer: true, min: 1 }),
    intervalSeconds: number("interval", values.interval ?? values["poll-interval"], { min: 1, fallback: 15 }),
    cooldownSeconds: number("cooldown", values.cooldown ?? values["cooldown-period"], { min: 0, fallback: 60 }),
  };
  if (settings.downThreshold > settings.upThreshold) throw new UsageError(`--down-threshold (${settings.downThreshold}) must not exceed --up-threshold (${settings.upThreshold})`);
  if (settings.downReplicas > settings.upReplicas) throw new UsageError(`--down-replicas (${settings.downReplicas}) must not exceed --up-replicas (${settings.upReplicas})`);
  return { settings, once: values.once, json: values.json };
}

function describeStep(step: StepResult): string {
  const rate = step.requestRate === null ? "no rate" : `${Number(step.requestRate.toFixed(2))} req/s`;
  if (step.error) return `scaling failed (${rate}): ${step.error}`;
  if (step.action === "none") return `no action: ${step.reason}`;
  return `${step.action}: ${step.previous} → ${step.replicas} replicas (${rate}; operation ${step.operationId})`;
}

async function runScaler(args: string[], io: CliIo): Promise<number> {
  const { settings, once, json } = parseSettings(args);
  const { intervalSeconds, cooldownSeconds, ...step } = settings;
  const client = await connectConsole();
  const print = (line: Record<string, unknown>, text: string) => io.stdout(json ? `${JSON.stringify({ at: new Date().toISOString(), ...line })}\n` : `${new Date().toISOString().slice(11, 19)}  ${text}\n`);

  if (!json) {
    io.stdout(
      `threshold scaler for ${settings.serviceName} of graph ${settings.graphName}: above ${settings.upThreshold} req/s → ${settings.upReplicas} replicas, ` +
        `below ${settings.downThreshold} req/s → ${settings.downReplicas}; every ${intervalSeconds}s, cooldown ${cooldownSeconds}s${once ? "" : " (Ctrl-C stops)"}\n`,
    );
  }
  let lastScaledAt: number | undefined;
  for (;;) {
    const remaining = lastScaledAt === undefined ? 0 : cooldownSeconds - (Date.now() - lastScaledAt) / 1000;
    if (remaining > 0) {
      print({ action: "cooldown", remainingSeconds: Math.ceil(remaining) }, `in cooldown: ${Math.ceil(remaining)}s left`);
    } else {
      try {
        const result = await callConsole("scale services", () => client.scaling.thresholdStep.mutate(step));
        print({ ...result }, describeStep(result));
        if (result.action !== "none" && !result.error) lastScaledAt = Date.now();
        if (once) return result.error ? EXIT_FAILED : EXIT_OK;
      } catch (error) {
        if (once) throw error;
        io.stderr(`smo scaler run: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    try {
      await sleep(intervalSeconds * 1000, undefined, { signal: io.signal });
    } catch (error) {
      if (io.signal?.aborted) return EXIT_OK;
      throw error;
    }
  }
}

export const scalerCommands: CliCommand[] = [
  {
    name: "scaler run",
    usage: "scaler run GRAPH SERVICE --up-threshold R --down-threshold R --up-replicas N --down-replicas N [--interval S] [--cooldown S] [--once] [--json]",
    summary: "The original SMO threshold scaler: every --interval s (default 15), scale SERVICE by its request rate; --cooldown s (default 60) after each action",
    run: runScaler,
  },
];
