"use client";
/**
 * Settings overview: whether the console reaches Karmada, Prometheus, Grafana and its database
 * (addresses only: secrets never leave the server), and the console settings, editable by admins.
 */
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/trpc";
import { useCan } from "@/app/_components/session";
import { ErrorNotice, Loading, PageHeader, StatusBadge } from "@/app/_components/ui";
import { formatDateTime } from "@/app/_components/format";
import { PlacementSettingsForm, PlacementSettingsView } from "./placement-settings";
import styles from "./settings.module.css";

type Health = { ok: boolean; message: string };

export function SettingsOverview() {
  const trpc = useTRPC();
  const isAdmin = useCan("admin");
  const settings = useQuery(trpc.settings.get.queryOptions());
  const health = useQuery({ ...trpc.system.health.queryOptions(), refetchInterval: 30_000 });
  const systems = settings.data?.systems;

  return (
    <>
      <PageHeader
        title="Settings"
        description="What this console is connected to, and how it places graphs. Credentials stay in the server's environment and are never shown here."
        actions={
          <button type="button" className="button" onClick={() => void health.refetch()} disabled={health.isFetching}>
            {health.isFetching ? "Checking…" : "Check connections"}
          </button>
        }
      />
      <ErrorNotice error={settings.error} title="Settings could not be loaded" />
      <ErrorNotice error={health.error} title="Connection checks failed" />

      <section className="section" aria-labelledby="connections-heading">
        <h2 id="connections-heading">Connections</h2>
        {!systems ? (
          <Loading label="Loading the configuration…" />
        ) : (
          <ul className={styles.connections}>
            <Connection name="Karmada" detail={systems.karmada.url} health={health.data?.karmada} checking={health.isPending} />
            <Connection
              name="Prometheus"
              detail={systems.prometheus.url}
              extra={`Rules: ${systems.prometheus.rule.namespace}/${systems.prometheus.rule.name} (group ${systems.prometheus.rule.group})`}
              health={health.data?.prometheus}
              checking={health.isPending}
            />
            <Connection
              name="Grafana"
              detail={systems.grafana.configured ? systems.grafana.url : "Not configured"}
              extra={systems.grafana.configured ? `Authentication: ${systems.grafana.auth}` : "Dashboards are skipped"}
              health={health.data?.grafana}
              checking={health.isPending}
              notConfigured={!systems.grafana.configured}
            />
            <Connection
              name="Database"
              detail={systems.database.location}
              extra={systems.database.kind === "pglite" ? "PGlite (embedded PostgreSQL)" : "PostgreSQL"}
              health={health.data?.database}
              checking={health.isPending}
            />
          </ul>
        )}
        {systems && (
          <dl className={styles.facts}>
            <div>
              <dt>Mode</dt>
              <dd>{systems.mode === "sandbox" ? "Sandbox: a simulated federation inside this console" : "Production"}</dd>
            </div>
            <div>
              <dt>Helm</dt>
              <dd>
                <code>{systems.helm.bin}</code>
                {systems.helm.plainHttp ? " (plain-HTTP registries allowed)" : ""}
              </dd>
            </div>
            <div>
              <dt>Alertmanager webhook</dt>
              <dd>{systems.alertWebhook.configured ? "Token configured: POST /api/v1/alerts accepts alerts" : "No token configured: the webhook refuses alerts"}</dd>
            </div>
          </dl>
        )}
      </section>

      <section className="section" aria-labelledby="placement-heading">
        <h2 id="placement-heading">Placement</h2>
        {settings.data && (
          <p className="muted">
            {(() => {
              const stored = settings.data.stored.find((entry) => entry.key === "placement");
              return stored
                ? `Changed by ${stored.updatedBy ?? "an unknown user"} on ${formatDateTime(stored.updatedAt)}.`
                : "The defaults from the server's environment apply: no admin has changed them.";
            })()}
          </p>
        )}
        {!settings.data ? (
          settings.isPending && <Loading />
        ) : isAdmin ? (
          <PlacementSettingsForm value={settings.data.placement} />
        ) : (
          <PlacementSettingsView value={settings.data.placement} />
        )}
      </section>
    </>
  );
}

function Connection({ name, detail, extra, health, checking, notConfigured }: { name: string; detail: string; extra?: string; health?: Health; checking: boolean; notConfigured?: boolean }) {
  const status = notConfigured ? (
    <StatusBadge status="skipped" label="Not configured" />
  ) : health ? (
    <StatusBadge status={health.ok ? "Ready" : "Failed"} label={health.ok ? "Connected" : "Unreachable"} />
  ) : checking ? (
    <StatusBadge status="pending" label="Checking" />
  ) : (
    <StatusBadge status="unknown" label="Unknown" />
  );
  return (
    <li className={`card ${styles.connection}`}>
      <div className={styles.connectionHead}>
        <h3>{name}</h3>
        {status}
      </div>
      <p className={`mono ${styles.address}`}>{detail}</p>
      {extra && <p className={styles.extra}>{extra}</p>}
      {health && !notConfigured && <p className={health.ok ? styles.message : `${styles.message} ${styles.messageError}`}>{health.message}</p>}
    </li>
  );
}
