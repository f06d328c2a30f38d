/**
 * Builds the clients of the outside world from where the systems are. The console (production
 * or sandbox), the CLI and the tests all wire them here, so every path uses the same code.
 */
import { createAlertRuleManager } from "./alerts";
import type { CoreClients } from "./context";
import { createGrafanaClient, type GrafanaAuth } from "./grafana";
import { createHelmClient } from "./helm";
import { createKarmadaClient } from "./karmada";
import type { Logger } from "./logger";
import { fetchDescriptorText } from "./oci";
import { createPrometheusClient } from "./prometheus";

export type ExternalSystems = {
  kubeconfigPath: string;
  prometheusUrl: string;
  /** Whether SMO asks Prometheus to reload after changing its rules (standalone Prometheus). */
  reloadPrometheus?: boolean;
  grafana?: { url: string; auth: GrafanaAuth };
  helm: { bin: string; plainHttp: boolean; timeoutMs?: number; env?: Record<string, string> };
  alertRule: { namespace: string; name: string; group: string };
  logger?: Logger;
};

export function createCoreClients(systems: ExternalSystems): CoreClients {
  const karmada = createKarmadaClient({ kubeconfigPath: systems.kubeconfigPath, logger: systems.logger });
  const prometheus = createPrometheusClient({ url: systems.prometheusUrl });
  const grafana = systems.grafana ? createGrafanaClient({ url: systems.grafana.url, auth: systems.grafana.auth }) : undefined;
  const helm = createHelmClient({
    helmBin: systems.helm.bin,
    kubeconfigPath: systems.kubeconfigPath,
    plainHttp: systems.helm.plainHttp,
    timeoutMs: systems.helm.timeoutMs,
    env: systems.helm.env,
    logger: systems.logger,
  });
  const alertRules = createAlertRuleManager({
    karmada,
    ...systems.alertRule,
    reload: systems.reloadPrometheus === false ? undefined : () => prometheus.reload(),
  });
  return { karmada, prometheus, grafana, helm, alertRules, fetchDescriptor: (reference) => fetchDescriptorText(reference) };
}
