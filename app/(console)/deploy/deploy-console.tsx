"use client";
/**
 * Deploy a graph: a descriptor (sample, file, URL, or typed), validated as it is edited; a project
 * and an algorithm; the placement that algorithm finds on the federation as it is now; then
 * graphs.deploy and on to the graph's page. Deploy stays disabled until every check holds.
 */
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { DescriptorInput, useDescriptorValidation } from "@/app/_components/descriptor/descriptor-input";
import {
  ALGORITHMS,
  algorithmLabel,
  formatSolveTime,
  InfeasibilityNotice,
  PlacementStatusBadge,
  statusNote,
  TermsTable,
  useElapsedSeconds,
} from "@/app/_components/descriptor/placement-parts";
import type { SampleDescriptor } from "@/app/_components/descriptor/samples";
import { useCan, useMe } from "@/app/_components/session";
import { ErrorNotice, PageHeader } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import { explainInvalidName } from "@/lib/names";
import type { PlacementAlgorithm, PlacementResult, PlacementWeights } from "@/lib/placement/types";
import styles from "./page.module.css";

export function DeployConsole({ samples }: { samples: SampleDescriptor[] }) {
  const trpc = useTRPC();
  const router = useRouter();
  const id = useId();
  const canDeploy = useCan("operator");
  const role = useMe().data?.role;
  const [text, setText] = useState("");
  const [project, setProject] = useState("");
  const [projectTouched, setProjectTouched] = useState(false);
  const [algorithm, setAlgorithm] = useState<PlacementAlgorithm>("first-fit");
  const validation = useDescriptorValidation(text);
  const projects = useQuery(trpc.graphs.projects.queryOptions());

  const preview = useQuery({
    ...trpc.placement.compare.queryOptions({ text, algorithms: [algorithm] }),
    enabled: validation.valid,
    placeholderData: keepPreviousData,
    staleTime: 30_000,
    refetchOnWindowFocus: false,
  });
  const previewCurrent = validation.valid && preview.isSuccess && !preview.isPlaceholderData;
  const result = previewCurrent ? preview.data.results[0] : undefined;
  const placed = result?.status === "optimal" || result?.status === "feasible";

  const deploy = useMutation(
    trpc.graphs.deploy.mutationOptions({
      onSuccess: (deployed) => {
        const name = deployed.graph?.graph.name ?? validation.graphId;
        router.push(name ? `/graphs/${encodeURIComponent(name)}` : "/graphs");
      },
    }),
  );

  const projectProblem = explainInvalidName(project);
  const checks = [
    { done: validation.valid, label: validation.valid ? "The descriptor is valid" : "A valid descriptor" },
    { done: placed, label: placed ? "The preview found a placement" : "A placement preview that finds a placement" },
    { done: !projectProblem, label: projectProblem ? "A project name" : `Project ${project}` },
  ];
  const ready = checks.every((check) => check.done) && canDeploy && !deploy.isPending && !deploy.isSuccess;

  return (
    <>
      <PageHeader
        title="Deploy a graph"
        description="Write or load an HDAG descriptor, see where its services would run, then deploy it into a project. Nothing is deployed before you press Deploy."
      />
      <div className={styles.layout}>
        <DescriptorInput samples={samples} text={text} onTextChange={setText} validation={validation} editorHeight="34rem" />

        <div className={styles.side}>
          <section className="card" aria-labelledby={`${id}-settings`}>
            <h2 id={`${id}-settings`}>Deployment</h2>
            <div className="form">
              <label className="field">
                <span>Project</span>
                <input
                  value={project}
                  onChange={(event) => setProject(event.target.value.trim())}
                  onBlur={() => setProjectTouched(true)}
                  list={`${id}-projects`}
                  placeholder="e.g. demo"
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={projectTouched && Boolean(projectProblem)}
                  aria-describedby={`${id}-project-hint`}
                />
                <small id={`${id}-project-hint`} className={projectTouched && projectProblem ? styles.fieldError : styles.fieldHint}>
                  {projectTouched && projectProblem ? `The project ${projectProblem}.` : "The namespace the services are installed in; created when new."}
                </small>
              </label>
              <datalist id={`${id}-projects`}>
                {projects.data?.map((candidate) => (
                  <option key={candidate.name} value={candidate.name} />
                ))}
              </datalist>
              <label className="field">
                <span>Placement algorithm</span>
                <select value={algorithm} onChange={(event) => setAlgorithm(event.target.value as PlacementAlgorithm)} aria-describedby={`${id}-algorithm-hint`}>
                  {ALGORITHMS.map((candidate) => (
                    <option key={candidate.value} value={candidate.value}>
                      {candidate.label}
                    </option>
                  ))}
                </select>
                <small id={`${id}-algorithm-hint`} className={styles.fieldHint}>
                  {ALGORITHMS.find((candidate) => candidate.value === algorithm)?.description}. Compare them in the <Link href="/lab">placement lab</Link>.
                </small>
              </label>
            </div>
          </section>

          <section className="card" aria-labelledby={`${id}-preview`} aria-busy={preview.isFetching}>
            <div className={styles.cardHeader}>
              <h2 id={`${id}-preview`}>Placement preview</h2>
              {validation.valid && (
                <button type="button" className="button button-small" onClick={() => void preview.refetch()} disabled={preview.isFetching}>
                  Refresh
                </button>
              )}
            </div>
            <PreviewBody
              validDescriptor={validation.valid}
              fetching={preview.isFetching}
              error={preview.isError && !preview.isFetching ? preview.error : null}
              algorithm={algorithm}
              data={previewCurrent ? preview.data : undefined}
            />
          </section>

          <section className="card" aria-labelledby={`${id}-deploy`}>
            <h2 id={`${id}-deploy`}>Deploy</h2>
            <ul className={styles.checks} id={`${id}-checks`} aria-label="Before deploying">
              {checks.map((check) => (
                <li key={check.label} data-done={check.done}>
                  <span className={styles.checkMark} aria-hidden="true">
                    {check.done ? "✓" : "○"}
                  </span>
                  {check.label}
                  <span className="visually-hidden">{check.done ? " (done)" : " (missing)"}</span>
                </li>
              ))}
            </ul>
            {!canDeploy && role && (
              <p className="notice" role="note">
                Your role ({role}) can check and preview descriptors; deploying needs the operator role.
              </p>
            )}
            <ErrorNotice error={deploy.error} title="The deploy was refused" />
            <button
              type="button"
              className={`button button-primary ${styles.deployButton}`}
              disabled={!ready}
              aria-describedby={`${id}-checks`}
              onClick={() => deploy.mutate({ project, descriptor: { text }, algorithm })}
            >
              {deploy.isPending || deploy.isSuccess ? "Deploying…" : validation.graphId ? `Deploy ${validation.graphId}` : "Deploy"}
            </button>
          </section>
        </div>
      </div>
    </>
  );
}

type PreviewData = { clusters: string[]; weights: PlacementWeights; results: PlacementResult[] };

function PreviewBody({ validDescriptor, fetching, error, algorithm, data }: { validDescriptor: boolean; fetching: boolean; error: unknown; algorithm: PlacementAlgorithm; data?: PreviewData }) {
  const elapsed = useElapsedSeconds(fetching);
  if (!validDescriptor) return <p className="muted">The preview appears once the descriptor is valid: where each service would run, and the cost of that placement.</p>;
  if (fetching)
    return (
      <p className="loading" role="status">
        <span className="spinner" aria-hidden="true" /> Placing with {algorithmLabel(algorithm)}…{" "}
        {elapsed >= 1 ? `${elapsed.toFixed(0)} s${algorithm === "optimal" ? " (the solver stops after 10 s with its best placement)" : ""}` : ""}
      </p>
    );
  if (error) return <ErrorNotice error={error} title="No preview" />;
  const result = data?.results[0];
  if (!data || !result) return null;
  if (data.clusters.length === 0)
    return (
      <p className="notice notice-error" role="alert">
        No clusters are known yet, so nothing can be placed. Sync the federation on the <Link href="/clusters">Clusters</Link> page.
      </p>
    );
  const services = result.explanations.length ? result.explanations.map((explanation) => explanation.service) : Object.keys(result.placement);
  return (
    <div className={styles.preview}>
      <p className={styles.previewSummary}>
        <PlacementStatusBadge result={result} /> <span className="muted">{statusNote(result)}</span>
      </p>
      <p className={styles.previewMeta}>
        {algorithmLabel(result.algorithm)} · solved in {formatSolveTime(result.solveMs)} · over {data.clusters.length} cluster{data.clusters.length === 1 ? "" : "s"}
      </p>
      <InfeasibilityNotice result={result} />
      {(result.status === "optimal" || result.status === "feasible") && (
        <>
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Where each service would run</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Cluster</th>
                </tr>
              </thead>
              <tbody>
                {services.map((service) => {
                  const explanation = result.explanations.find((candidate) => candidate.service === service);
                  return (
                    <tr key={service}>
                      <th scope="row" className={styles.serviceName}>
                        {service}
                      </th>
                      <td>
                        <span className={styles.clusters}>{(result.placement[service] ?? []).join(", ") || "—"}</span>
                        {explanation?.summary && <span className={styles.why}>{explanation.summary}</span>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <h3 className={styles.subheading}>Cost of this placement</h3>
          <TermsTable result={result} weights={data.weights} caption="Objective terms of the previewed placement" />
        </>
      )}
    </div>
  );
}
