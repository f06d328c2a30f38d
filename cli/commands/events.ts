/** `smo events [--graph G] [--follow]`: the console's event log, oldest first; --follow polls for new lines. */
import { setTimeout as sleep } from "node:timers/promises";
import { callConsole, connectConsole, formatInstant, parseCommandArgs, printJson } from "../client";
import { EXIT_OK, UsageError, type CliCommand, type CliIo } from "../io";

const FOLLOW_INTERVAL_MS = 2_000;

type EventLine = { id: number; at: Date; severity: string; kind: string; graphName: string | null; serviceName: string | null; clusterName: string | null; actor: string; message: string };

function formatEvent(event: EventLine): string {
  const subject = [event.graphName, event.serviceName, event.clusterName].filter(Boolean).join("/") || "-";
  return `${formatInstant(event.at)}  ${event.severity.padEnd(7)}  ${event.kind}  ${subject}  ${event.message}  (${event.actor})\n`;
}

async function runEvents(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    { graph: { type: "string" }, follow: { type: "boolean", default: false }, limit: { type: "string" }, json: { type: "boolean", default: false } },
    { min: 0, max: 0, names: "" },
  );
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) throw new UsageError(`--limit must be a whole number from 1 to 1000 (got "${values.limit}")`);
  const client = await connectConsole();
  const graphName = values.graph;
  // The console answers newest first; people read a log oldest first.
  const fetchEvents = async (afterId?: number) =>
    (await callConsole("read events", () => client.events.list.query({ graphName, afterId, limit: afterId === undefined ? limit : 1_000 }))).reverse();
  const print = (events: EventLine[]) => {
    for (const event of events) io.stdout(values.json ? `${JSON.stringify(event)}\n` : formatEvent(event));
  };

  const first = await fetchEvents();
  if (values.json && !values.follow) printJson(io, first);
  else print(first);
  if (!values.follow) return EXIT_OK;

  let lastId = first.at(-1)?.id ?? 0;
  while (!io.signal?.aborted) {
    try {
      await sleep(FOLLOW_INTERVAL_MS, undefined, { signal: io.signal });
    } catch (error) {
      if (io.signal?.aborted) break;
      throw error;
    }
    const fresh = await fetchEvents(lastId);
    print(fresh);
    lastId = fresh.at(-1)?.id ?? lastId;
  }
  return EXIT_OK;
}

export const eventsCommands: CliCommand[] = [
  { name: "events", usage: "events [--graph G] [--limit N] [--follow] [--json]", summary: "Show the event log; --follow prints new events every 2 s until Ctrl-C", run: runEvents },
];
