/**
 * The console's configuration, read once from the environment and validated with zod (SPEC §10).
 * A bad value stops the start with a message naming the variable. No Karmada configured → sandbox.
 */
import path from "node:path";
import { z } from "zod";

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const optionalUrl = (what: string) =>
  optionalText.refine((value) => value === undefined || /^https?:\/\/[^\s]+$/.test(value), { message: `must be an http(s) URL of ${what}` });

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .optional()
  .refine((value) => value === undefined || ["", "1", "0", "true", "false", "yes", "no"].includes(value), { message: "must be true or false" })
  .transform((value) => value === "1" || value === "true" || value === "yes");

const kubernetesName = z
  .string()
  .trim()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a Kubernetes object name (lowercase letters, digits, '-', '.')")
  .max(253);

const envSchema = z.object({
  DATABASE_URL: optionalText.refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
    message: "must be a postgres:// or postgresql:// URL (leave it unset for the embedded database)",
  }),
  KARMADA_KUBECONFIG: optionalText,
  PROMETHEUS_URL: optionalUrl("Prometheus"),
  GRAFANA_URL: optionalUrl("Grafana"),
  GRAFANA_USER: optionalText,
  GRAFANA_PASSWORD: optionalText,
  GRAFANA_TOKEN: optionalText,
  HELM_BIN: optionalText,
  HELM_PLAIN_HTTP: booleanFlag,
  PROMETHEUS_RULE_NAMESPACE: kubernetesName.default("monitoring"),
  PROMETHEUS_RULE_NAME: kubernetesName.default("kube-prometheus-stack-0"),
  PROMETHEUS_RULE_GROUP: z.string().trim().min(1).max(253).default("smo-alerts"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  SMO_DATA_DIR: z.string().trim().min(1).default("./data"),
  SMO_ADMIN_PASSWORD: optionalText.refine((value) => value === undefined || value.length >= 8, { message: "must be at least 8 characters" }),
  SMO_ALERT_WEBHOOK_TOKEN: optionalText.refine((value) => value === undefined || value.length >= 16, {
    message: "must be at least 16 characters",
  }),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export type SmoConfig = {
  /** Sandbox when no Karmada kubeconfig is configured: the simulated federation is used. */
  mode: "sandbox" | "production";
  databaseUrl?: string;
  dataDir: string;
  port: number;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  karmada: { kubeconfigPath?: string };
  prometheus: { url?: string; rule: { namespace: string; name: string; group: string } };
  grafana: { url?: string; auth?: { kind: "basic"; user: string; password: string } | { kind: "token"; token: string } };
  helm: { bin: string; plainHttp: boolean };
  adminPassword?: string;
  alertWebhookToken?: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`invalid configuration: ${problems.map((problem) => `${problem.variable} ${problem.message}`).join("; ")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): SmoConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? "environment"), message: issue.message })));
  }
  const values = parsed.data;
  const problems: { variable: string; message: string }[] = [];
  if (values.GRAFANA_USER && !values.GRAFANA_PASSWORD) problems.push({ variable: "GRAFANA_PASSWORD", message: "is required when GRAFANA_USER is set" });
  if (values.GRAFANA_TOKEN && values.GRAFANA_USER) problems.push({ variable: "GRAFANA_TOKEN", message: "and GRAFANA_USER are exclusive: give one way to sign in" });
  if (values.KARMADA_KUBECONFIG) {
    // Production talks to real systems: Prometheus is needed for scaling and alerts, Grafana (optional) needs a way to sign in.
    if (!values.PROMETHEUS_URL) problems.push({ variable: "PROMETHEUS_URL", message: "is required when KARMADA_KUBECONFIG is set" });
    if (values.GRAFANA_URL && !values.GRAFANA_TOKEN && !values.GRAFANA_USER) {
      problems.push({ variable: "GRAFANA_URL", message: "needs GRAFANA_TOKEN, or GRAFANA_USER and GRAFANA_PASSWORD" });
    }
  }
  if (problems.length) throw new ConfigError(problems);

  const grafanaAuth = values.GRAFANA_TOKEN
    ? ({ kind: "token", token: values.GRAFANA_TOKEN } as const)
    : values.GRAFANA_USER && values.GRAFANA_PASSWORD
      ? ({ kind: "basic", user: values.GRAFANA_USER, password: values.GRAFANA_PASSWORD } as const)
      : undefined;
  return {
    mode: values.KARMADA_KUBECONFIG ? "production" : "sandbox",
    databaseUrl: values.DATABASE_URL,
    dataDir: path.resolve(values.SMO_DATA_DIR),
    port: values.PORT,
    logLevel: values.LOG_LEVEL,
    karmada: { kubeconfigPath: values.KARMADA_KUBECONFIG },
    prometheus: {
      url: values.PROMETHEUS_URL,
      rule: { namespace: values.PROMETHEUS_RULE_NAMESPACE, name: values.PROMETHEUS_RULE_NAME, group: values.PROMETHEUS_RULE_GROUP },
    },
    grafana: { url: values.GRAFANA_URL, auth: grafanaAuth },
    helm: { bin: values.HELM_BIN ?? "helm", plainHttp: values.HELM_PLAIN_HTTP },
    adminPassword: values.SMO_ADMIN_PASSWORD,
    alertWebhookToken: values.SMO_ALERT_WEBHOOK_TOKEN,
  };
}
