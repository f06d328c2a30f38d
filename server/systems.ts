/**
 * What the console is connected to, as shown to signed-in users: which systems are configured
 * and their addresses. No secret ever: credentials are reported only by kind, and any
 * user:password inside a URL is removed.
 */
import type { ServerDeps } from "./deps";

export type SystemsDescription = {
  mode: "sandbox" | "production";
  database: { kind: "pglite" | "postgres"; location: string };
  karmada: { configured: true; url: string };
  prometheus: { configured: true; url: string; rule: { namespace: string; name: string; group: string } };
  grafana: { configured: true; url: string; auth: "basic" | "token" | "none" } | { configured: false };
  helm: { bin: string; plainHttp: boolean };
  alertWebhook: { configured: boolean };
};

export function describeSystems(deps: Pick<ServerDeps, "config" | "database" | "clients" | "sandbox">): SystemsDescription {
  const { config, clients } = deps;
  const grafanaAuth = deps.sandbox ? "basic" : (config.grafana.auth?.kind ?? "none");
  return {
    mode: config.mode,
    database: { kind: deps.database.kind, location: deps.database.location },
    karmada: { configured: true, url: withoutCredentials(clients.karmada.server) },
    prometheus: { configured: true, url: withoutCredentials(clients.prometheus.url), rule: config.prometheus.rule },
    grafana: clients.grafana ? { configured: true, url: withoutCredentials(clients.grafana.url), auth: grafanaAuth } : { configured: false },
    helm: { bin: deps.sandbox?.helmBin ?? config.helm.bin, plainHttp: deps.sandbox ? true : config.helm.plainHttp },
    alertWebhook: { configured: Boolean(config.alertWebhookToken) },
  };
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//");
  }
}
