/**
 * Firing an event-triggered service's alert on demand, exactly as Alertmanager would deliver it
 * when the service's rule fires: the rule SMO wrote for it (buildAlertRule) gives the labels and
 * annotations, the fingerprint is derived from the labels as Alertmanager derives it, and the
 * webhook payload goes through the same handler as `POST /api/v1/alerts`. The sandbox's scenario
 * controls use it, so a demo needs no Prometheus rule to actually fire.
 */
import type { CoreContext } from "../context";
import { NotFoundError, PreconditionFailedError, ValidationError } from "../errors";
import { findService, requireGraph, triggerOfService } from "../graphs/records";
import { buildAlertRule } from "./rules";
import { handleAlertmanagerNotification, type AlertmanagerPayload, type AlertSummary } from "./webhook";

export type FireServiceAlertInput = {
  graphName: string;
  service: string;
  /** One of the service's events; default its first. */
  alertName?: string;
};

/** Hands the firing alert to the webhook handler and answers what it did (the deployment runs on in the background). */
export async function fireServiceAlert(ctx: CoreContext, input: FireServiceAlertInput): Promise<AlertSummary> {
  const graph = await requireGraph(ctx.db, input.graphName);
  const service = await findService(ctx.db, graph.id, input.service);
  if (!service) throw new NotFoundError("service", `${graph.name}/${input.service}`);
  const events = triggerOfService(service)?.events ?? [];
  if (events.length === 0) {
    throw new PreconditionFailedError(`service "${service.name}" of graph "${graph.name}" has no event trigger: it is deployed with its graph, never by an alert`);
  }
  const event = input.alertName === undefined ? events[0]! : events.find((candidate) => candidate.id === input.alertName);
  if (!event) {
    throw new ValidationError([{ path: "alertName", message: `"${input.alertName}" is not an event of ${service.name}; its events: ${events.map((candidate) => candidate.id).join(", ")}` }]);
  }
  const rule = buildAlertRule(service.name, event);
  const payload = firingPayload({ alertname: rule.alert ?? event.id, ...rule.labels }, rule.annotations ?? {}, ctx.clock());
  const [summary] = await handleAlertmanagerNotification(ctx, payload, { wait: false });
  return summary!;
}

/** Alertmanager's webhook body (version 4) for one firing alert. */
export function firingPayload(labels: Record<string, string>, annotations: Record<string, string>, startsAt: Date): AlertmanagerPayload {
  const alertname = labels.alertname ?? "";
  return {
    version: "4",
    receiver: "smo-console",
    status: "firing",
    alerts: [
      {
        status: "firing",
        labels,
        annotations,
        startsAt: startsAt.toISOString(),
        // Alertmanager zeroes endsAt while an alert fires.
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "",
        fingerprint: alertFingerprint(labels),
      },
    ],
    groupLabels: { alertname },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: "",
    groupKey: `{}:{alertname=${JSON.stringify(alertname)}}`,
    truncatedAlerts: 0,
  };
}

const FNV_OFFSET_64 = 14695981039346656037n;
const FNV_PRIME_64 = 1099511628211n;
const MASK_64 = (1n << 64n) - 1n;
/** Prometheus's label separator byte in signatures. */
const SEPARATOR = 0xff;

/**
 * The fingerprint Prometheus and Alertmanager give a label set: FNV-1a (64 bit) over the labels
 * sorted by name, each name and value followed by a 0xff byte, as 16 hex digits. The same labels
 * always give the same fingerprint; each firing is told apart by its startsAt.
 */
export function alertFingerprint(labels: Record<string, string>): string {
  let hash = FNV_OFFSET_64;
  const add = (byte: number) => {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME_64) & MASK_64;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const byte of Buffer.from(name, "utf8")) add(byte);
    add(SEPARATOR);
    for (const byte of Buffer.from(labels[name]!, "utf8")) add(byte);
    add(SEPARATOR);
  }
  return hash.toString(16).padStart(16, "0");
}
