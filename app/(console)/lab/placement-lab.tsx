"use client";
/**
 * The placement lab: one descriptor placed on the federation as it is now by first-fit,
 * green-best-fit and optimal, with the objective's weights from sliders, side by side. One
 * placement.compare request per algorithm, so the heuristics show at once while the optimal one
 * is still solving. A dry run: nothing is stored or deployed.
 */
import { useQueries } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import { DescriptorInput, useDescriptorValidation } from "@/app/_components/descriptor/descriptor-input";
import {
  ALGORITHMS,
  formatNumber,
  formatSolveTime,
  InfeasibilityNotice,
  PlacementStatusBadge,
  statusNote,
  TermsTable,
  useElapsedSeconds,
} from "@/app/_components/descriptor/placement-parts";
import type { SampleDescriptor } from "@/app/_components/descriptor/samples";
import { EmptyState, ErrorNotice, PageHeader } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import { DEFAULT_PLACEMENT_WEIGHTS, type PlacementAlgorithm, type PlacementResult, type PlacementWeights } from "@/lib/placement/types";
import styles from "./page.module.css";

/** Each term has its own scale (SPEC §4), so each slider has its own range. */
const SLIDERS: { key: keyof PlacementWeights; label: string; max: number; step: number; digits: number; hint: string }[] = [
  { key: "migration", label: "Migration", max: 10, step: 0.5, digits: 1, hint: "per cluster a running service leaves (0 for a first deploy)" },
  { key: "communication", label: "Communication", max: 10, step: 0.5, digits: 1, hint: "per link split across clusters, × 10 ultralow, 3 low, 1 best effort" },
  { key: "carbon", label: "Carbon", max: 0.02, step: 0.0005, digits: 4, hint: "per CPU core × gCO₂/kWh of its cluster (hundreds per service)" },
  { key: "balance", label: "Balance", max: 50, step: 1, digits: 0, hint: "× the highest CPU utilisation of a Ready cluster (0 to 1)" },
];

type Run = { text: string; weights: PlacementWeights };

function placedIn(result: PlacementResult): boolean {
  return result.status === "optimal" || result.status === "feasible";
}

function clustersKey(result: PlacementResult, service: string): string {
  return [...(result.placement[service] ?? [])].sort().join(",");
}

export function PlacementLab({ samples }: { samples: SampleDescriptor[] }) {
  const trpc = useTRPC();
  const id = useId();
  const [text, setText] = useState("");
  const [weights, setWeights] = useState<PlacementWeights>({ ...DEFAULT_PLACEMENT_WEIGHTS });
  const [run, setRun] = useState<Run | null>(null);
  const validation = useDescriptorValidation(text);

  const queries = useQueries({
    queries: ALGORITHMS.map(({ value }) => ({
      ...trpc.placement.compare.queryOptions({ text: run?.text ?? "", algorithms: [value], weights: run?.weights }),
      enabled: run !== null,
      staleTime: Number.POSITIVE_INFINITY,
      refetchOnWindowFocus: false,
      retry: false,
    })),
  });
  const running = queries.some((query) => query.isFetching);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!validation.valid) return;
    const next = { text, weights: { ...weights } };
    const same = run && run.text === next.text && JSON.stringify(run.weights) === JSON.stringify(next.weights);
    setRun(next);
    // The same inputs again: ask again, the federation may have changed.
    if (same) for (const query of queries) void query.refetch();
  }

  const results = queries.map((query) => query.data?.results[0]);
  const placedResults = results.filter((result): result is PlacementResult => Boolean(result && placedIn(result)));
  const services = serviceOrder(results);
  const differing = new Set(services.filter((service) => new Set(placedResults.map((result) => clustersKey(result, service))).size > 1));
  const lowest = placedResults.length ? Math.min(...placedResults.map((result) => result.objective)) : undefined;
  const clusters = queries.find((query) => query.data)?.data?.clusters;
  const outdated = run !== null && (run.text !== text || JSON.stringify(run.weights) !== JSON.stringify(weights));
  const allDone = run !== null && !running && results.every(Boolean);

  return (
    <>
      <PageHeader
        title="Placement lab"
        description="Place one descriptor on the federation as it is now with first fit, green best fit and the optimal solver, side by side. A dry run: nothing is stored or deployed."
      />
      <div className={styles.layout}>
        <DescriptorInput samples={samples} text={text} onTextChange={setText} validation={validation} editorHeight="24rem" />
        <form className="card" aria-labelledby={`${id}-weights`} onSubmit={submit}>
          <div className={styles.cardHeader}>
            <h2 id={`${id}-weights`}>Objective weights</h2>
            <button type="button" className="button button-small" onClick={() => setWeights({ ...DEFAULT_PLACEMENT_WEIGHTS })}>
              Reset weights
            </button>
          </div>
          <p className={styles.weightsIntro}>The optimal solver minimises the weighted sum of the four terms; the heuristics are scored with the same weights.</p>
          <div className={styles.sliders}>
            {SLIDERS.map((slider) => (
              <div key={slider.key} className={styles.slider}>
                <label htmlFor={`${id}-${slider.key}`} className={styles.sliderLabel}>
                  {slider.label}
                  <output htmlFor={`${id}-${slider.key}`} className={styles.sliderValue}>
                    {weights[slider.key].toFixed(slider.digits)}
                  </output>
                </label>
                <input
                  id={`${id}-${slider.key}`}
                  type="range"
                  min={0}
                  max={slider.max}
                  step={slider.step}
                  value={weights[slider.key]}
                  onChange={(event) => setWeights((current) => ({ ...current, [slider.key]: Number(event.target.value) }))}
                  aria-describedby={`${id}-${slider.key}-hint`}
                />
                <span id={`${id}-${slider.key}-hint`} className={styles.sliderHint}>
                  {slider.hint}
                </span>
              </div>
            ))}
          </div>
          <button type="submit" className={`button button-primary ${styles.runButton}`} disabled={!validation.valid || running}>
            {running ? "Running…" : "Run the three algorithms"}
          </button>
          {!validation.valid && <p className={styles.runHint}>{text.trim() ? "Fix the descriptor to run." : "Choose a sample or write a descriptor to run."}</p>}
        </form>
      </div>

      <section className="section" aria-labelledby={`${id}-results`} aria-busy={running}>
        <h2 id={`${id}-results`}>Side by side</h2>
        {run === null ? (
          <EmptyState title="No comparison yet">
            Choose a sample (or write a descriptor), set the weights, then press <strong>Run the three algorithms</strong>.
          </EmptyState>
        ) : (
          <>
            <div className={styles.summary} role="status" aria-live="polite">
              {clusters && (
                <span>
                  Over {clusters.length} cluster{clusters.length === 1 ? "" : "s"}: <span className="mono">{clusters.join(", ") || "none"}</span>.{" "}
                </span>
              )}
              {allDone && placedResults.length > 1 && (
                <span>
                  {differing.size === 0
                    ? "All algorithms that found a placement agree on every service."
                    : `${differing.size} of ${services.length} service${services.length === 1 ? "" : "s"} placed differently (marked “differs”).`}
                </span>
              )}
              {running && <span>Solving…</span>}
            </div>
            {clusters?.length === 0 && (
              <p className="notice notice-error" role="alert">
                No clusters are known yet. Sync the federation on the <Link href="/clusters">Clusters</Link> page.
              </p>
            )}
            {outdated && (
              <p className="notice" role="note">
                The descriptor or the weights changed since this run: run again to compare them.
              </p>
            )}
            <div className={styles.columns}>
              {ALGORITHMS.map((algorithm, index) => (
                <AlgorithmColumn
                  key={algorithm.value}
                  algorithm={algorithm}
                  fetching={queries[index]!.isFetching}
                  error={queries[index]!.isError && !queries[index]!.isFetching ? queries[index]!.error : null}
                  result={queries[index]!.isFetching ? undefined : results[index]}
                  weights={queries[index]!.data?.weights}
                  services={services}
                  differing={differing}
                  lowest={lowest}
                />
              ))}
            </div>
          </>
        )}
      </section>
    </>
  );
}

/** Services in descriptor order, from the first answer that lists them. */
function serviceOrder(results: (PlacementResult | undefined)[]): string[] {
  for (const result of results) {
    if (result?.explanations.length) return result.explanations.map((explanation) => explanation.service);
  }
  for (const result of results) {
    if (result && Object.keys(result.placement).length) return Object.keys(result.placement);
  }
  return [];
}

type ColumnProps = {
  algorithm: { value: PlacementAlgorithm; label: string; description: string };
  fetching: boolean;
  error: unknown;
  result?: PlacementResult;
  weights?: PlacementWeights;
  services: string[];
  differing: Set<string>;
  lowest?: number;
};

function AlgorithmColumn({ algorithm, fetching, error, result, weights, services, differing, lowest }: ColumnProps) {
  const elapsed = useElapsedSeconds(fetching);
  const headingId = `column-${algorithm.value}`;
  const best = result && placedIn(result) && lowest !== undefined && result.objective <= lowest + 1e-9;
  return (
    <article className={styles.column} aria-labelledby={headingId} data-algorithm={algorithm.value}>
      <header className={styles.columnHeader}>
        <h3 id={headingId}>{algorithm.label}</h3>
        <p className={styles.columnDescription}>{algorithm.description}</p>
      </header>
      {fetching ? (
        <div className={styles.progress} role="status">
          <span className="spinner" aria-hidden="true" />
          <span>
            Solving… {elapsed.toFixed(1)} s
            {algorithm.value === "optimal" && <span className={styles.progressNote}>The solver stops after at most 10 s with its best placement.</span>}
          </span>
          {algorithm.value === "optimal" && (
            <progress className={styles.progressBar} max={10} value={Math.min(elapsed, 10)} aria-label="Time spent of the optimal solver's limit" />
          )}
        </div>
      ) : error ? (
        <ErrorNotice error={error} title={`${algorithm.label} failed`} />
      ) : result ? (
        <>
          <div className={styles.statusLine}>
            <PlacementStatusBadge result={result} />
            {best && <span className={styles.bestTag}>lowest objective</span>}
          </div>
          <dl className={styles.facts}>
            <div>
              <dt>Objective</dt>
              <dd>{placedIn(result) ? formatNumber(result.objective) : "—"}</dd>
            </div>
            <div>
              <dt>Solve time</dt>
              <dd>{formatSolveTime(result.solveMs)}</dd>
            </div>
          </dl>
          <p className={styles.statusNote}>{statusNote(result)}</p>
          <InfeasibilityNotice result={result} />
          {placedIn(result) && (
            <table className={styles.placementTable}>
              <caption className="visually-hidden">Clusters chosen by {algorithm.label}</caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Cluster</th>
                </tr>
              </thead>
              <tbody>
                {services.map((service) => {
                  const differs = differing.has(service);
                  return (
                    <tr key={service} className={differs ? styles.differs : undefined}>
                      <th scope="row" className={styles.serviceName}>
                        {service}
                      </th>
                      <td>
                        <span className={styles.clusterName}>{(result.placement[service] ?? []).join(", ") || "—"}</span>
                        {differs && <span className={styles.differsTag}>differs</span>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {weights && <TermsTable result={result} weights={weights} caption={`Objective terms of ${algorithm.label}`} compact />}
        </>
      ) : null}
    </article>
  );
}
