"use client";
/** Pieces of a placement result (placement.compare) shared by the deploy preview and the placement lab. */
import { useEffect, useState } from "react";
import { StatusBadge } from "@/app/_components/ui";
import type { PlacementAlgorithm, PlacementResult, PlacementTerms, PlacementWeights } from "@/lib/placement/types";
import styles from "./placement.module.css";

export const ALGORITHMS: { value: PlacementAlgorithm; label: string; description: string }[] = [
  { value: "first-fit", label: "First fit", description: "The original SMO: each service on the first cluster with room" },
  { value: "green-best-fit", label: "Green best fit", description: "Lowest carbon intensity first, then the fullest cluster" },
  { value: "optimal", label: "Optimal", description: "An integer program solved by HiGHS over all terms (can take seconds)" },
];

export function algorithmLabel(algorithm: PlacementAlgorithm): string {
  return ALGORITHMS.find((candidate) => candidate.value === algorithm)?.label ?? algorithm;
}

const TERMS: { key: keyof PlacementTerms; label: string; unit: string }[] = [
  { key: "migration", label: "Migration", unit: "clusters left by services that move" },
  { key: "carbon", label: "Carbon", unit: "CPU cores × carbon intensity" },
  { key: "communication", label: "Communication", unit: "links split across clusters, × QoS weight" },
  { key: "balance", label: "Balance", unit: "highest CPU utilisation of a Ready cluster" },
];

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "—";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 1) return value.toFixed(2).replace(/\.?0+$/, "");
  return value.toPrecision(2);
}

export function formatSolveTime(ms: number): string {
  if (ms < 1) return "< 1 ms";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1_000).toFixed(2)} s`;
}

const STATUS_LABEL: Record<PlacementResult["status"], string> = {
  optimal: "optimal",
  feasible: "feasible",
  infeasible: "infeasible",
  unknown: "no answer in time",
};

export function PlacementStatusBadge({ result }: { result: PlacementResult }) {
  return <StatusBadge status={result.status} label={STATUS_LABEL[result.status]} />;
}

/** What the status means, in one short phrase. */
export function statusNote(result: PlacementResult): string {
  if (result.status === "optimal") return "proven optimal";
  if (result.status === "feasible") {
    if (result.algorithm !== "optimal") return "a heuristic placement (not proven optimal)";
    return result.gap !== undefined && Number.isFinite(result.gap) ? `time limit reached, within ${formatNumber(result.gap * 100)} % of optimal` : "time limit reached";
  }
  if (result.status === "unknown") return "the time limit ran out before a placement was found";
  return "no placement satisfies every constraint";
}

/** Each term, its weight and its share of the objective; the weighted sum last. `compact` leaves out the units (for narrow columns). */
export function TermsTable({ result, weights, caption, compact = false }: { result: PlacementResult; weights: PlacementWeights; caption: string; compact?: boolean }) {
  const placed = result.status === "optimal" || result.status === "feasible";
  return (
    <table className={compact ? `${styles.terms} ${styles.compact}` : styles.terms}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Term</th>
          <th scope="col" className="number">
            Value
          </th>
          <th scope="col" className="number">
            Weight
          </th>
          <th scope="col" className="number">
            Weighted
          </th>
        </tr>
      </thead>
      <tbody>
        {TERMS.map((term) => (
          <tr key={term.key}>
            <th scope="row">
              {term.label}
              {!compact && <span className={styles.unit}>{term.unit}</span>}
            </th>
            <td className="number">{placed ? formatNumber(result.terms[term.key]) : "—"}</td>
            <td className="number">{formatNumber(weights[term.key])}</td>
            <td className="number">{placed ? formatNumber(weights[term.key] * result.terms[term.key]) : "—"}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Objective (lower is better)
          </th>
          <td className="number">
            <strong>{placed ? formatNumber(result.objective) : "—"}</strong>
          </td>
        </tr>
      </tfoot>
    </table>
  );
}

/** Why no placement was found: the service, the message, and what ruled out each cluster. */
export function InfeasibilityNotice({ result }: { result: PlacementResult }) {
  if (result.status !== "infeasible" && result.status !== "unknown") return null;
  const { infeasibility } = result;
  return (
    <div className="notice notice-error" role="alert">
      <strong>{result.status === "infeasible" ? "No placement" : "No placement in time"}</strong>
      {infeasibility?.service && (
        <>
          {" "}
          for <span className="mono">{infeasibility.service}</span>
        </>
      )}
      : {infeasibility?.message ?? statusNote(result)}
      {infeasibility && infeasibility.excluded.length > 0 && (
        <ul className={styles.excluded}>
          {infeasibility.excluded.map((exclusion) => (
            <li key={`${exclusion.cluster}-${exclusion.reason}`}>
              <span className="mono">{exclusion.cluster}</span>: {exclusion.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Seconds since `running` became true, ticking while it stays true (for "Solving… 2.4 s"). */
export function useElapsedSeconds(running: boolean): number {
  const [elapsed, setElapsed] = useState(0);
  useEffect(() => {
    if (!running) return;
    const started = Date.now();
    const timer = setInterval(() => setElapsed((Date.now() - started) / 1000), 200);
    return () => {
      clearInterval(timer);
      setElapsed(0);
    };
  }, [running]);
  return elapsed;
}
