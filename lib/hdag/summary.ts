/** Short, human-readable views of a parsed HDAG, for tables in the CLI and the console. */
import type { ValidationIssue } from "../errors";
import { formatBytes, formatCpu } from "../quantity";
import type { Hdag, HdagService } from "./types";

export type HdagServiceSummary = {
  id: string;
  /** "auto", "auto after a, b" or "event main-event". */
  trigger: string;
  /** "500m (light)": the amount, then what the descriptor said when it was a size class. */
  cpu: string;
  ram: string;
  gpu: "yes" | "no";
  /** Connection points, comma-separated, or "-". */
  connections: string;
  /** Number of distinct clusters the service runs on. */
  spread: number;
};

export function summarizeHdagServices(hdag: Hdag): HdagServiceSummary[] {
  return hdag.services.map((service) => ({
    id: service.id,
    trigger: describeTrigger(service),
    cpu: withGiven(formatCpu(service.compute.cpu), service.compute.given.cpu),
    ram: withGiven(formatBytes(service.compute.memory), service.compute.given.memory),
    gpu: service.compute.gpu ? "yes" : "no",
    connections: service.connectionPoints.length > 0 ? service.connectionPoints.join(", ") : "-",
    spread: service.spread,
  }));
}

/** One issue per line, `path: message`. */
export function formatHdagIssues(issues: ValidationIssue[]): string {
  return issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join("\n");
}

function describeTrigger(service: HdagService): string {
  const trigger = service.trigger;
  if (trigger.kind === "event") return `event ${trigger.events.map((event) => event.id).join(", ")}`;
  return trigger.dependencies.length > 0 ? `auto after ${trigger.dependencies.join(", ")}` : "auto";
}

function withGiven(amount: string, given: string): string {
  return given === amount ? amount : `${amount} (${given})`;
}
