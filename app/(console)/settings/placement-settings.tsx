"use client";
/** The placement settings: an editable form for admins, a read-only summary for everyone else. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage, useTRPC } from "@/app/trpc";
import type { PlacementSettings } from "@/lib/settings/schemas";
import styles from "./settings.module.css";

const ALGORITHMS = [
  { value: "first-fit", label: "First fit" },
  { value: "green-best-fit", label: "Green best fit" },
  { value: "optimal", label: "Optimal (MILP)" },
] as const;

const WEIGHTS = [
  { key: "migration", label: "Migration", hint: "Cost of moving a running service" },
  { key: "carbon", label: "Carbon", hint: "Carbon intensity of the chosen clusters" },
  { key: "communication", label: "Communication", hint: "Traffic between services on different clusters" },
  { key: "balance", label: "Balance", hint: "Uneven use of the clusters" },
] as const;

const algorithmLabel = (value: string) => ALGORITHMS.find((algorithm) => algorithm.value === value)?.label ?? value;

export function PlacementSettingsView({ value }: { value: PlacementSettings }) {
  return (
    <div className={`card ${styles.readOnlyCard}`}>
      <p className={styles.readOnly}>Only admins can change these settings.</p>
      <dl className={styles.facts}>
        <div>
          <dt>First placement</dt>
          <dd>{algorithmLabel(value.initialAlgorithm)}</dd>
        </div>
        <div>
          <dt>Re-placement</dt>
          <dd>{algorithmLabel(value.replaceAlgorithm)}</dd>
        </div>
        {WEIGHTS.map((weight) => (
          <div key={weight.key}>
            <dt>{weight.label} weight</dt>
            <dd>{value.weights[weight.key]}</dd>
          </div>
        ))}
        <div>
          <dt>Solver time limit</dt>
          <dd>{value.timeLimitSeconds} s</dd>
        </div>
      </dl>
    </div>
  );
}

export function PlacementSettingsForm({ value }: { value: PlacementSettings }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState(value);
  const save = useMutation(
    trpc.settings.set.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.settings.get.queryKey() }),
    }),
  );
  const changed = JSON.stringify(draft) !== JSON.stringify(value);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate({ key: "placement", value: draft });
  }

  return (
    <form className={`card form ${styles.placementForm}`} onSubmit={submit} aria-label="Placement settings">
      <div className={styles.formRow}>
        <label className="field">
          <span>First placement</span>
          <select value={draft.initialAlgorithm} onChange={(event) => setDraft({ ...draft, initialAlgorithm: event.target.value as PlacementSettings["initialAlgorithm"] })}>
            {ALGORITHMS.map((algorithm) => (
              <option key={algorithm.value} value={algorithm.value}>
                {algorithm.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Re-placement</span>
          <select value={draft.replaceAlgorithm} onChange={(event) => setDraft({ ...draft, replaceAlgorithm: event.target.value as PlacementSettings["replaceAlgorithm"] })}>
            {ALGORITHMS.map((algorithm) => (
              <option key={algorithm.value} value={algorithm.value}>
                {algorithm.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Solver time limit (seconds)</span>
          <input
            type="number"
            min={1}
            max={600}
            step={1}
            required
            value={draft.timeLimitSeconds}
            onChange={(event) => setDraft({ ...draft, timeLimitSeconds: event.target.valueAsNumber })}
          />
        </label>
      </div>
      <fieldset className={styles.weights}>
        <legend>Weights of the optimal placement&apos;s objective (0 to 1000)</legend>
        {WEIGHTS.map((weight) => (
          <label className="field" key={weight.key}>
            <span>{weight.label}</span>
            <input
              type="number"
              min={0}
              max={1000}
              step="any"
              required
              aria-describedby={`weight-${weight.key}-hint`}
              value={draft.weights[weight.key]}
              onChange={(event) => setDraft({ ...draft, weights: { ...draft.weights, [weight.key]: event.target.valueAsNumber } })}
            />
            <small id={`weight-${weight.key}-hint`} className="muted">
              {weight.hint}
            </small>
          </label>
        ))}
      </fieldset>
      {save.isError && (
        <p className="notice notice-error" role="alert">
          The settings were not saved: {errorMessage(save.error)}
        </p>
      )}
      {save.isSuccess && !changed && (
        <p className="notice notice-ok" role="status">
          Saved. New placements use these settings.
        </p>
      )}
      <div className={styles.formActions}>
        <button type="button" className="button" disabled={!changed || save.isPending} onClick={() => setDraft(value)}>
          Discard changes
        </button>
        <button type="submit" className="button button-primary" disabled={!changed || save.isPending}>
          {save.isPending ? "Saving…" : "Save placement settings"}
        </button>
      </div>
    </form>
  );
}
