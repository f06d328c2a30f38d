/**
 * SMO's alert rules (SPEC §3): one Prometheus alert per event of an event-triggered service,
 * kept in one group of one PrometheusRule that kube-prometheus-stack loads. Rules are keyed by
 * (alert name, `service` label); everything else in the PrometheusRule is left as found.
 */

import { ValidationError, type ValidationIssue } from "../errors";
import type { HdagEvent } from "../hdag/types";
import { explainInvalidName } from "../names";
import { PROMETHEUS_DURATION_PATTERN } from "../karmada/schemas";
import type { PrometheusRule, PrometheusRuleEntry, PrometheusRuleStore } from "../karmada/types";

export const DEFAULT_RULE_NAMESPACE = "monitoring";
export const DEFAULT_RULE_NAME = "kube-prometheus-stack-0";
export const DEFAULT_RULE_GROUP = "smo-alerts";

/** Labels kube-prometheus-stack's Prometheus selects PrometheusRules by (its ruleSelector defaults to the release label). */
export const RULE_SELECTOR_LABELS: Record<string, string> = { release: "kube-prometheus-stack", app: "kube-prometheus-stack" };

const ALERT_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_-]*$/;
const ALERT_NAME_MAX = 128;
export const PROM_QUERY_MAX_BYTES = 4096;

export type ServiceAlertEvent = Pick<HdagEvent, "id" | "promQuery" | "gracePeriod" | "description">;

/** An SMO alert rule as stored. */
export type ServiceAlert = {
  service: string;
  id: string;
  promQuery: string;
  gracePeriod?: string;
  description?: string;
  summary?: string;
};

export type ReloadOutcome = { ok: true } | { ok: false; error: string };

export type AlertRuleChange = {
  /** The PrometheusRule was written. */
  changed: boolean;
  /** Rules added, replaced or removed by this call. */
  rules: number;
  /** 409 Conflicts retried while writing. */
  conflicts: number;
  /** Set when a reload ran (only after a write): a failed reload does not undo the stored rule. */
  reload?: ReloadOutcome;
};

export type AlertRuleManagerOptions = {
  karmada: PrometheusRuleStore;
  namespace?: string;
  name?: string;
  group?: string;
  /** Asks Prometheus to reload its rules (standalone Prometheus; the operator reloads on its own). */
  reload?: () => Promise<void>;
};

export type AlertRuleManager = {
  readonly namespace: string;
  readonly name: string;
  readonly group: string;
  addServiceAlert(input: { service: string; event: ServiceAlertEvent }): Promise<AlertRuleChange>;
  removeServiceAlerts(service: string): Promise<AlertRuleChange>;
  listServiceAlerts(service?: string): Promise<ServiceAlert[]>;
};

export function createAlertRuleManager(options: AlertRuleManagerOptions): AlertRuleManager {
  const { karmada, reload } = options;
  const namespace = options.namespace ?? DEFAULT_RULE_NAMESPACE;
  const name = options.name ?? DEFAULT_RULE_NAME;
  const group = options.group ?? DEFAULT_RULE_GROUP;
  if (group.trim() === "") throw new ValidationError([{ path: "group", message: "must not be empty" }]);

  async function finish(update: { written: boolean; conflicts: number }, rules: number): Promise<AlertRuleChange> {
    const change: AlertRuleChange = { changed: update.written, rules: update.written ? rules : 0, conflicts: update.conflicts };
    if (update.written && reload) change.reload = await runReload(reload);
    return change;
  }

  async function addServiceAlert(input: { service: string; event: ServiceAlertEvent }): Promise<AlertRuleChange> {
    const entry = buildAlertRule(input.service, input.event);
    const update = await karmada.updatePrometheusRule(namespace, name, (current) => {
      const rule = current ?? newPrometheusRule(namespace, name);
      const groups = rule.spec.groups ?? [];
      let target = groups.find((candidate) => candidate.name === group);
      if (!target) {
        target = { name: group, rules: [] };
        groups.push(target);
      }
      const rules = target.rules ?? [];
      const index = rules.findIndex((existing) => existing.alert === entry.alert && existing.labels?.service === input.service);
      if (index >= 0 && sameRule(rules[index]!, entry)) return undefined;
      if (index >= 0) rules[index] = entry;
      else rules.push(entry);
      target.rules = rules;
      rule.spec.groups = groups;
      return rule;
    });
    return finish(update, 1);
  }

  async function removeServiceAlerts(service: string): Promise<AlertRuleChange> {
    assertService(service);
    let removed = 0;
    const update = await karmada.updatePrometheusRule(namespace, name, (current) => {
      const target = current?.spec.groups?.find((candidate) => candidate.name === group);
      const rules = target?.rules ?? [];
      const kept = rules.filter((entry) => entry.labels?.service !== service);
      removed = rules.length - kept.length;
      if (!current || !target || removed === 0) return undefined;
      target.rules = kept;
      return current;
    });
    return finish(update, removed);
  }

  async function listServiceAlerts(service?: string): Promise<ServiceAlert[]> {
    if (service !== undefined) assertService(service);
    const rule = await karmada.getPrometheusRule(namespace, name);
    const rules = rule?.spec.groups?.find((candidate) => candidate.name === group)?.rules ?? [];
    return rules.flatMap((entry) => {
      const owner = entry.labels?.service;
      if (entry.alert === undefined || owner === undefined || (service !== undefined && owner !== service)) return [];
      return [
        {
          service: owner,
          id: entry.alert,
          promQuery: String(entry.expr),
          ...(entry.for === undefined ? {} : { gracePeriod: entry.for }),
          ...(entry.annotations?.description === undefined ? {} : { description: entry.annotations.description }),
          ...(entry.annotations?.summary === undefined ? {} : { summary: entry.annotations.summary }),
        },
      ];
    });
  }

  return { namespace, name, group, addServiceAlert, removeServiceAlerts, listServiceAlerts };
}

/** The rule SPEC §3 prescribes, after checking every field that ends up in Prometheus. */
export function buildAlertRule(service: string, event: ServiceAlertEvent): PrometheusRuleEntry {
  const issues: ValidationIssue[] = [];
  const serviceProblem = explainInvalidName(service);
  if (serviceProblem) issues.push({ path: "service", message: serviceProblem });
  if (typeof event?.id !== "string" || !ALERT_NAME_PATTERN.test(event.id) || event.id.length > ALERT_NAME_MAX) {
    issues.push({
      path: "event.id",
      message: `${JSON.stringify(event?.id)} is not an alert name: use letters, digits, '_' and '-', starting with a letter or '_', at most ${ALERT_NAME_MAX} characters`,
    });
  }
  if (typeof event?.promQuery !== "string" || event.promQuery.trim() === "") {
    issues.push({ path: "event.promQuery", message: "must be a non-empty PromQL expression" });
  } else if (Buffer.byteLength(event.promQuery, "utf8") > PROM_QUERY_MAX_BYTES) {
    issues.push({ path: "event.promQuery", message: `is ${Buffer.byteLength(event.promQuery, "utf8")} bytes long, at most ${PROM_QUERY_MAX_BYTES} are allowed` });
  }
  if (event?.gracePeriod !== undefined && (typeof event.gracePeriod !== "string" || event.gracePeriod === "" || !PROMETHEUS_DURATION_PATTERN.test(event.gracePeriod))) {
    issues.push({ path: "event.gracePeriod", message: `${JSON.stringify(event.gracePeriod)} is not a Prometheus duration such as "30s", "2m" or "1h30m"` });
  }
  if (event?.description !== undefined && typeof event.description !== "string") {
    issues.push({ path: "event.description", message: "must be a string" });
  }
  if (issues.length > 0) throw new ValidationError(issues);
  const summary = `SMO event ${event.id} for ${service}`;
  return {
    alert: event.id,
    expr: event.promQuery,
    ...(event.gracePeriod === undefined ? {} : { for: event.gracePeriod }),
    labels: { severity: "critical", service },
    annotations: { description: event.description ?? summary, summary },
  };
}

function newPrometheusRule(namespace: string, name: string): PrometheusRule {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name, namespace, labels: { ...RULE_SELECTOR_LABELS } },
    spec: { groups: [] },
  };
}

/** Equal as Prometheus sees them (key order and unknown extras of a stored rule aside). */
function sameRule(stored: PrometheusRuleEntry, wanted: PrometheusRuleEntry): boolean {
  const canonical = (entry: PrometheusRuleEntry) =>
    JSON.stringify([
      entry.alert,
      String(entry.expr),
      entry.for ?? null,
      Object.entries(entry.labels ?? {}).sort(),
      Object.entries(entry.annotations ?? {}).sort(),
    ]);
  return canonical(stored) === canonical(wanted);
}

function assertService(service: string): void {
  const problem = explainInvalidName(service);
  if (problem) throw new ValidationError([{ path: "service", message: problem }]);
}

async function runReload(reload: () => Promise<void>): Promise<ReloadOutcome> {
  try {
    await reload();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
