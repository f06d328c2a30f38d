"use client";
/**
 * The sandbox's scenario controls: what a real federation does by itself, on demand — request load
 * on a service (the scaler follows it), a member cluster going NotReady and back (placement avoids
 * it), an event-triggered service's alert firing (the service gets deployed).
 */
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent, type ReactNode } from "react";
import { useCan } from "@/app/_components/session";
import { EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge } from "@/app/_components/ui";
import { errorMessage, useTRPC } from "@/app/trpc";
import styles from "./sandbox.module.css";

const REFRESH_MS = 3_000;
const MAX_RPS = 1_000;
/** Running graphs whose services are offered (each is read with graphs.get). */
const GRAPH_LIMIT = 50;

type ServiceRef = { graph: string; project: string; name: string; status: string; eventTriggered: boolean; clusters: string[] };
type Outcome = { tone: "ok" | "error"; text: ReactNode };

export function SandboxView() {
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.sandbox.status.queryOptions(), refetchInterval: REFRESH_MS });
  const canAct = useCan("operator");

  if (status.isPending) return <Loading label="Reading the sandbox…" />;
  return (
    <>
      <PageHeader
        title="Sandbox"
        description="Scenario controls for the simulated federation: steer a service's load, take a cluster offline, fire a conditional service's alert — then watch the console react."
      />
      <ErrorNotice error={status.error} title="Could not read the sandbox" />
      {status.data && !status.data.enabled ? (
        <EmptyState title="This console is not a sandbox">
          <p>It drives a real Karmada federation: its clusters, request load and alerts are real, so there is nothing to simulate here.</p>
          <p>
            Follow what happens on the <Link href="/events">events</Link> page instead.
          </p>
        </EmptyState>
      ) : status.data ? (
        <>
          {!canAct && (
            <div className="notice" role="note">
              You can look at the scenarios; running them needs the operator role.
            </div>
          )}
          <Scenarios canAct={canAct} clusters={status.data.clusters} loads={status.data.loads} />
        </>
      ) : null}
    </>
  );
}

function Scenarios({ canAct, clusters, loads }: { canAct: boolean; clusters: { name: string; ready: boolean }[]; loads: { service: string; requestsPerSecond: number }[] }) {
  const trpc = useTRPC();
  // Only a running graph has deployed services and conditional services waiting for their alert.
  const graphs = useQuery({ ...trpc.graphs.list.queryOptions({ status: "Running", limit: GRAPH_LIMIT }), refetchInterval: 10_000 });
  const details = useQueries({
    queries: (graphs.data?.items ?? []).map((graph) => ({ ...trpc.graphs.get.queryOptions({ name: graph.name }), refetchInterval: REFRESH_MS })),
  });
  const services: ServiceRef[] = details.flatMap((detail) =>
    detail.data
      ? detail.data.services.map((service) => ({
          graph: detail.data.graph.name,
          project: detail.data.graph.project,
          name: service.name,
          status: service.status,
          eventTriggered: service.eventTriggered,
          clusters: service.clusters,
        }))
      : [],
  );
  const noGraphs = graphs.data?.total === 0;
  return (
    <div className={styles.scenarios}>
      <ErrorNotice error={graphs.error} title="Could not load the graphs" />
      <LoadScenario canAct={canAct} services={services.filter((service) => service.status === "Deployed")} loads={loads} noGraphs={noGraphs} />
      <ClusterScenario canAct={canAct} clusters={clusters} />
      <AlertScenario canAct={canAct} services={services.filter((service) => service.eventTriggered)} noGraphs={noGraphs} />
    </div>
  );
}

function OutcomeNotice({ outcome }: { outcome: Outcome | null }) {
  return (
    <div role="status" aria-live="polite" className={styles.outcome}>
      {outcome && <div className={`notice ${outcome.tone === "ok" ? "notice-ok" : "notice-error"}`}>{outcome.text}</div>}
    </div>
  );
}

function NoGraphsHint() {
  return (
    <p className="muted">
      No graph is running. <Link href="/deploy">Deploy a sample</Link> (image-detection has an event-triggered service), or start a stopped one, and come back.
    </p>
  );
}

function LoadScenario({ canAct, services, loads, noGraphs }: { canAct: boolean; services: ServiceRef[]; loads: { service: string; requestsPerSecond: number }[]; noGraphs: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [service, setService] = useState("");
  const [rps, setRps] = useState(200);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const chosen = service || services[0]?.name || "";
  const setLoad = useMutation(
    trpc.sandbox.setLoad.mutationOptions({
      onSuccess: (result) => {
        setOutcome({
          tone: "ok",
          text: (
            <>
              <strong>{result.service}</strong> now receives {result.requestsPerSecond} requests/s. The scaler reads it at its next round; its decisions show on the
              graph&apos;s page and in the <Link href="/events?kind=scaling.scaled">events</Link>.
            </>
          ),
        });
        void queryClient.invalidateQueries({ queryKey: trpc.sandbox.status.queryKey() });
      },
      onError: (error) => setOutcome({ tone: "error", text: `Could not set the load: ${errorMessage(error)}` }),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen) setLoad.mutate({ service: chosen, requestsPerSecond: rps });
  };
  const loadByService = new Map(loads.map((load) => [load.service, load.requestsPerSecond]));
  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Request load</h2>
      <p>Send a steady request rate to a deployed service; its pods report it to Prometheus and the scaler adds or removes replicas.</p>
      {services.length === 0 ? (
        noGraphs ? (
          <NoGraphsHint />
        ) : (
          <p className="muted">No service is deployed right now: start a graph first.</p>
        )
      ) : (
        <form className={`form ${styles.loadForm}`} onSubmit={submit}>
          <label className="field">
            <span>Service</span>
            <select value={chosen} onChange={(event) => setService(event.target.value)} disabled={!canAct}>
              {groupByGraph(services).map(([graph, members]) => (
                <optgroup key={graph} label={`graph ${graph}`}>
                  {members.map((member) => (
                    <option key={`${graph}/${member.name}`} value={member.name}>
                      {member.name}
                      {loadByService.has(member.name) ? ` (now ${round(loadByService.get(member.name)!)} req/s)` : ""}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          </label>
          <div className={styles.rate}>
            <label className="field">
              <span>Requests per second</span>
              <input type="range" min={0} max={MAX_RPS} step={10} value={Math.min(rps, MAX_RPS)} onChange={(event) => setRps(Number(event.target.value))} disabled={!canAct} />
            </label>
            <label className="field">
              <span className="visually-hidden">Requests per second, exact</span>
              <input
                type="number"
                min={0}
                max={1_000_000}
                step={1}
                value={rps}
                onChange={(event) => setRps(Math.max(0, Number(event.target.value) || 0))}
                disabled={!canAct}
                className={styles.rpsInput}
                aria-describedby={`${id}-unit`}
              />
            </label>
            <span id={`${id}-unit`} className="muted">
              req/s
            </span>
          </div>
          <div>
            <button type="submit" className="button button-primary" disabled={!canAct || setLoad.isPending || !chosen}>
              {setLoad.isPending ? "Setting load…" : "Set load"}
            </button>
          </div>
        </form>
      )}
      <OutcomeNotice outcome={outcome} />
      {loads.length > 0 && (
        <div className={styles.loads}>
          <table>
            <caption className={styles.caption}>Request rate now</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col" className="number">
                  Requests/s
                </th>
              </tr>
            </thead>
            <tbody>
              {loads.map((load) => (
                <tr key={load.service}>
                  <th scope="row" className="mono">
                    {load.service}
                  </th>
                  <td className="number">{round(load.requestsPerSecond)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ClusterScenario({ canAct, clusters }: { canAct: boolean; clusters: { name: string; ready: boolean }[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const sync = useMutation(trpc.clusters.sync.mutationOptions());
  const setReady = useMutation(
    trpc.sandbox.setClusterReady.mutationOptions({
      onSuccess: async (result) => {
        const state = result.ready ? "Ready" : "NotReady";
        setOutcome({ tone: "ok", text: `${result.name} is ${state} in the federation; syncing the clusters…` });
        await queryClient.invalidateQueries({ queryKey: trpc.sandbox.status.queryKey() });
        try {
          // SMO learns of it at a cluster sync: run one now, so that the console and placement see it.
          const synced = await sync.mutateAsync();
          await queryClient.invalidateQueries({ queryKey: trpc.clusters.pathKey() });
          const seen = synced.clusters.find((cluster) => cluster.name === result.name);
          setOutcome({
            tone: "ok",
            text: (
              <>
                <strong>{result.name}</strong> is {state} in the federation, and SMO now sees it as {seen?.ready ? "Ready" : "not ready"}
                {result.ready ? "; placement can use it again." : "; placement leaves it out."} See{" "}
                <Link href={`/clusters/${encodeURIComponent(result.name)}`}>the cluster</Link>.
              </>
            ),
          });
        } catch (error) {
          setOutcome({ tone: "error", text: `${result.name} is ${state} in the federation, but the cluster sync failed: ${errorMessage(error)}` });
        }
      },
      onError: (error) => setOutcome({ tone: "error", text: `Could not change the cluster: ${errorMessage(error)}` }),
    }),
  );
  const busy = setReady.isPending || sync.isPending;
  return (
    <section className="card" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Cluster readiness</h2>
      <p>Take a member cluster offline as Karmada would see it, or bring it back; the console syncs the clusters right after.</p>
      <ul className={styles.clusters} aria-label="Member clusters">
        {clusters.map((cluster) => (
          <li key={cluster.name} className={styles.clusterRow}>
            <Link href={`/clusters/${encodeURIComponent(cluster.name)}`} className={styles.clusterName}>
              {cluster.name}
            </Link>
            <StatusBadge status={cluster.ready ? "Ready" : "NotReady"} label={cluster.ready ? "Ready" : "Not ready"} />
            <button
              type="button"
              className={`button button-small ${cluster.ready ? "button-danger-outline" : ""}`}
              disabled={!canAct || busy}
              onClick={() => setReady.mutate({ name: cluster.name, ready: !cluster.ready })}
              aria-label={cluster.ready ? `Make ${cluster.name} not ready` : `Make ${cluster.name} ready again`}
            >
              {cluster.ready ? "Make not ready" : "Make ready again"}
            </button>
          </li>
        ))}
      </ul>
      <OutcomeNotice outcome={outcome} />
    </section>
  );
}

const ALERT_OUTCOMES: Record<string, string> = {
  deploying: "the service is being deployed",
  deployed: "the service was deployed",
  "deploy-failed": "its deployment failed",
  "already-deployed": "the service was already deployed: nothing to do",
  "graph-not-running": "its graph is not running, so nothing was deployed",
  "unknown-service": "SMO does not know this service",
  recorded: "the alert was recorded",
  duplicate: "the same alert was already handled",
};

function AlertScenario({ canAct, services, noGraphs }: { canAct: boolean; services: ServiceRef[]; noGraphs: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const fire = useMutation(
    trpc.sandbox.fireAlert.mutationOptions({
      onSuccess: (summary, input) => {
        const ok = summary.outcome !== "deploy-failed" && summary.outcome !== "unknown-service";
        setOutcome({
          tone: ok ? "ok" : "error",
          text: (
            <>
              Alert <span className="mono">{summary.alertName}</span> fired for <strong>{input.service}</strong>: {ALERT_OUTCOMES[summary.outcome] ?? summary.outcome}
              {summary.error ? ` (${summary.error})` : ""}. Follow it on <Link href={`/graphs/${encodeURIComponent(input.graphName)}`}>graph {input.graphName}</Link>.
            </>
          ),
        });
        void queryClient.invalidateQueries({ queryKey: trpc.graphs.get.queryKey({ name: input.graphName }) });
      },
      onError: (error, input) => setOutcome({ tone: "error", text: `Could not fire the alert of ${input.service}: ${errorMessage(error)}` }),
    }),
  );
  return (
    <section className={`card ${styles.wide}`} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Conditional services</h2>
      <p>Event-triggered services wait, Pending, until their alert fires. Fire it as Alertmanager would, and the service gets deployed.</p>
      {services.length === 0 ? (
        noGraphs ? (
          <NoGraphsHint />
        ) : (
          <p className="muted">None of the deployed graphs has an event-triggered service.</p>
        )
      ) : (
        <div className="table-wrap">
          <table className={styles.alertTable}>
            <caption className="visually-hidden">Event-triggered services</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Graph</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {services.map((service) => (
                <tr key={`${service.graph}/${service.name}`}>
                  <th scope="row" className="mono">
                    {service.name}
                  </th>
                  <td>
                    <Link href={`/graphs/${encodeURIComponent(service.graph)}`}>{service.graph}</Link>
                  </td>
                  <td>
                    <StatusBadge status={service.status} />
                  </td>
                  <td className="number">
                    <button
                      type="button"
                      className="button button-small"
                      disabled={!canAct || fire.isPending || service.status !== "Pending"}
                      onClick={() => fire.mutate({ graphName: service.graph, service: service.name })}
                      aria-label={`Fire the alert of ${service.name}`}
                      title={service.status === "Pending" ? undefined : "Only a Pending service waits for its alert"}
                    >
                      Fire alert
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <OutcomeNotice outcome={outcome} />
    </section>
  );
}

function groupByGraph(services: ServiceRef[]): [string, ServiceRef[]][] {
  const groups = new Map<string, ServiceRef[]>();
  for (const service of services) groups.set(service.graph, [...(groups.get(service.graph) ?? []), service]);
  return [...groups.entries()];
}

function round(value: number): string {
  return Number(value.toFixed(value >= 100 ? 0 : 1)).toString();
}
