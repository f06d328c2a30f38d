"use client";
/**
 * Re-placement with a preview: choose the algorithm and (optionally) weights, see what would move
 * and how each cost term changes, then apply exactly that preview or discard it. The preview is
 * a dry run; applying it moves only the services listed.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { ConfirmButton } from "@/app/_components/confirm";
import { ErrorNotice, StatusBadge } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import type { ReplacementPreview } from "@/lib/graphs";
import type { OperationRecord } from "@/lib/operations";
import { PLACEMENT_ALGORITHMS, type PlacementAlgorithm, type PlacementWeights } from "@/lib/placement/types";
import { formatCost, TERM_LABELS, TERMS } from "./placement-format";
import styles from "./detail.module.css";

type WeightText = Record<keyof PlacementWeights, string>;
const NO_WEIGHTS: WeightText = { migration: "", carbon: "", communication: "", balance: "" };

export type ReplacePanelProps = {
  name: string;
  graphWeights: Record<string, number> | null;
  busy: boolean;
  onApplied: (operation: Pick<OperationRecord, "id">) => void;
  onClose: () => void;
};

export function ReplacePanel({ name, graphWeights, busy, onApplied, onClose }: ReplacePanelProps) {
  const trpc = useTRPC();
  const settings = useQuery({ ...trpc.settings.get.queryOptions(), staleTime: 60_000 });
  const [algorithm, setAlgorithm] = useState<PlacementAlgorithm>();
  const [weights, setWeights] = useState<WeightText>(NO_WEIGHTS);
  const [preview, setPreview] = useState<ReplacementPreview>();
  const heading = useRef<HTMLHeadingElement>(null);
  const ids = { algorithm: useId(), weights: useId() };
  const configured = settings.data?.placement;
  const chosenAlgorithm = algorithm ?? configured?.replaceAlgorithm ?? "optimal";

  useEffect(() => heading.current?.focus(), []);

  const previewing = useMutation(trpc.graphs.previewReplacement.mutationOptions({ onSuccess: setPreview }));
  const applying = useMutation(
    trpc.graphs.replace.mutationOptions({
      onSuccess: (result) => {
        setPreview(undefined);
        onApplied(result.operation);
      },
    }),
  );

  function weightInput(): Partial<PlacementWeights> | undefined {
    const entries = TERMS.filter((term) => weights[term].trim() !== "").map((term) => [term, Number(weights[term])] as const);
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  }
  const invalidWeight = TERMS.find((term) => weights[term].trim() !== "" && !(Number(weights[term]) >= 0));

  return (
    <section id="replace-panel" className={`card ${styles.replace}`} aria-labelledby="replace-heading">
      <div className={styles.sectionHead}>
        <h2 id="replace-heading" ref={heading} tabIndex={-1}>
          Re-place {name}
        </h2>
        <button type="button" className="button button-small" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="muted">Preview where the services would run with the federation as it is now. Nothing changes until you apply the preview.</p>
      <form
        className={styles.replaceForm}
        onSubmit={(event) => {
          event.preventDefault();
          if (invalidWeight) return;
          setPreview(undefined);
          applying.reset();
          previewing.mutate({ name, algorithm: chosenAlgorithm, weights: weightInput() });
        }}
      >
        <div className="field">
          <label htmlFor={ids.algorithm}>Algorithm</label>
          <select id={ids.algorithm} value={chosenAlgorithm} onChange={(event) => setAlgorithm(event.target.value as PlacementAlgorithm)}>
            {PLACEMENT_ALGORITHMS.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </select>
        </div>
        <fieldset className={styles.weights} aria-describedby={ids.weights}>
          <legend>Weights</legend>
          {TERMS.map((term) => {
            const current = graphWeights?.[term] ?? configured?.weights[term];
            return (
              <label key={term} className="field">
                <span>{TERM_LABELS[term]}</span>
                <input
                  type="number"
                  inputMode="decimal"
                  min={0}
                  step="any"
                  value={weights[term]}
                  placeholder={current === undefined ? "default" : String(current)}
                  aria-invalid={invalidWeight === term || undefined}
                  onChange={(event) => setWeights({ ...weights, [term]: event.target.value })}
                />
              </label>
            );
          })}
          <p id={ids.weights} className={styles.hint}>
            Empty fields keep the graph&apos;s weights (shown greyed).
          </p>
        </fieldset>
        <div className={styles.replaceSubmit}>
          <button type="submit" className="button button-primary" disabled={previewing.isPending || busy || Boolean(invalidWeight)}>
            {previewing.isPending ? "Computing preview…" : "Preview re-placement"}
          </button>
        </div>
      </form>
      {invalidWeight && (
        <p className="notice notice-error" role="alert">
          The {TERM_LABELS[invalidWeight].toLowerCase()} weight must be a number of at least 0.
        </p>
      )}
      <ErrorNotice error={previewing.error} title="The preview failed" />
      {previewing.isPending && (
        <p className="loading" role="status">
          <span className="spinner" aria-hidden="true" /> Solving with {chosenAlgorithm}…
        </p>
      )}
      {preview && (
        <PreviewResult
          preview={preview}
          applying={applying.isPending}
          busy={busy}
          onApply={() => applying.mutate({ name, placementId: preview.placementId })}
          onDiscard={() => {
            setPreview(undefined);
            previewing.reset();
          }}
        />
      )}
      <ErrorNotice error={applying.error} title="The re-placement was refused" />
    </section>
  );
}

function PreviewResult({ preview, applying, busy, onApply, onDiscard }: { preview: ReplacementPreview; applying: boolean; busy: boolean; onApply: () => void; onDiscard: () => void }) {
  const feasible = preview.after !== undefined && !preview.infeasibility;
  const delta = preview.after ? preview.after.objective - preview.before.objective : undefined;
  return (
    <div className={styles.preview} aria-live="polite" data-testid="replacement-preview">
      <h3>
        Preview by <span className="mono">{preview.algorithm}</span>
        <StatusBadge status={preview.status} label={preview.status === "optimal" ? "proven optimal" : preview.status} />
      </h3>
      {preview.infeasibility && (
        <p className="notice notice-error" role="alert">
          No placement: {preview.infeasibility}
        </p>
      )}
      {preview.notes.length > 0 && (
        <ul className={styles.notes}>
          {preview.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      )}
      <div className={styles.previewGrid}>
        <div>
          <h4>Moves</h4>
          {preview.moves.length === 0 ? (
            <p className="muted">{feasible ? "No service moves: the current placement is kept." : "—"}</p>
          ) : (
            <div className="table-wrap">
              <table className={styles.rows}>
                <thead>
                  <tr>
                    <th scope="col">Service</th>
                    <th scope="col">From</th>
                    <th scope="col" aria-label="to">
                      →
                    </th>
                    <th scope="col">To</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.moves.map((move) => (
                    <tr key={move.service}>
                      <th scope="row">{move.service}</th>
                      <td>{move.from.join(", ") || "(none)"}</td>
                      <td aria-hidden="true">→</td>
                      <td>
                        <strong>{move.to.join(", ")}</strong>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {preview.importChanges.length > 0 && <p className={styles.hint}>Also upgraded, because a service connecting to them moves: {preview.importChanges.join(", ")}.</p>}
        </div>
        <div>
          <h4>Cost terms</h4>
          <div className="table-wrap">
            <table className={styles.rows}>
              <thead>
                <tr>
                  <th scope="col">Term</th>
                  <th scope="col" className="number">
                    Before
                  </th>
                  <th scope="col" className="number">
                    After
                  </th>
                  <th scope="col" className="number">
                    Change
                  </th>
                </tr>
              </thead>
              <tbody>
                {TERMS.map((term) => {
                  const before = preview.before.terms[term];
                  const after = preview.after?.terms[term];
                  return (
                    <tr key={term}>
                      <th scope="row">{TERM_LABELS[term]}</th>
                      <td className="number">{formatCost(before)}</td>
                      <td className="number">{formatCost(after)}</td>
                      <td className="number">{after === undefined ? "—" : formatCost(after - before, true)}</td>
                    </tr>
                  );
                })}
                <tr className={styles.totalRow}>
                  <th scope="row">Objective (weighted)</th>
                  <td className="number">{formatCost(preview.before.objective)}</td>
                  <td className="number">{formatCost(preview.after?.objective)}</td>
                  <td className="number">{delta === undefined ? "—" : formatCost(delta, true)}</td>
                </tr>
              </tbody>
            </table>
          </div>
          {!preview.before.feasible && <p className={styles.hint}>The current placement breaks the model: {preview.before.violations.join("; ")}.</p>}
        </div>
      </div>
      <div className={styles.previewActions}>
        <ConfirmButton
          label="Apply re-placement"
          title="Apply this re-placement?"
          confirmLabel="Apply"
          disabled={!feasible || busy}
          pending={applying}
          onConfirm={onApply}
        >
          <p>
            {preview.moves.length === 0
              ? "No service moves; the placement is recorded as the graph's current one."
              : `${preview.moves.length} ${preview.moves.length === 1 ? "service moves" : "services move"} (helm upgrade on ${[...preview.moves.map((move) => move.service), ...preview.importChanges].join(", ")}).`}
          </p>
        </ConfirmButton>
        <button type="button" className="button" onClick={onDiscard} disabled={applying}>
          Discard
        </button>
      </div>
    </div>
  );
}
