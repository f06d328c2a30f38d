"use client";
/**
 * Location and carbon intensity of a cluster (admins). The write carries the version that was read,
 * so an edit made meanwhile by someone else is refused rather than overwritten; problems are shown
 * at the field they concern.
 */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { isTRPCClientError } from "@trpc/client";
import { useId, useState, type FormEvent } from "react";
import { errorMessage, useTRPC } from "@/app/trpc";
import styles from "../clusters.module.css";

type Field = "location" | "carbonIntensity";
type FieldErrors = Partial<Record<Field | "form", string>>;

export type AttributesFormProps = { name: string; version: number; location: string | null; carbonIntensity: number | null };

export function AttributesForm({ name, version, location, carbonIntensity }: AttributesFormProps) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const [locationText, setLocationText] = useState(location ?? "");
  const [carbonText, setCarbonText] = useState(carbonIntensity === null ? "" : String(carbonIntensity));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState<string | null>(null);
  // A newer version of the row arrived (our save, or someone else's): the fields start from it.
  const [shownVersion, setShownVersion] = useState(version);
  if (version !== shownVersion) {
    setShownVersion(version);
    setLocationText(location ?? "");
    setCarbonText(carbonIntensity === null ? "" : String(carbonIntensity));
  }

  const update = useMutation(
    trpc.clusters.updateAttributes.mutationOptions({
      onSuccess: async (cluster) => {
        setErrors({});
        setSaved(`Saved (version ${cluster.version}).`);
        await queryClient.invalidateQueries({ queryKey: trpc.clusters.pathKey() });
      },
      onError: async (error) => {
        setSaved(null);
        setErrors(fieldErrorsOf(error));
        // Someone else saved first: show their values, so the next save starts from them.
        if (isTRPCClientError(error) && error.data?.code === "CONFLICT") await queryClient.invalidateQueries({ queryKey: trpc.clusters.get.queryKey({ name }) });
      },
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(null);
    const carbon = carbonText.trim() === "" ? null : Number(carbonText);
    if (carbon !== null && !Number.isFinite(carbon)) {
      setErrors({ carbonIntensity: `must be a number of gCO₂/kWh, got "${carbonText}"` });
      return;
    }
    update.mutate({ name, version, location: locationText, carbonIntensity: carbon });
  }

  const locationError = errors.location ? `${id}-location-error` : undefined;
  const carbonError = errors.carbonIntensity ? `${id}-carbon-error` : undefined;
  return (
    <form className={`form ${styles.attributes}`} onSubmit={submit} noValidate aria-describedby={`${id}-hint`}>
      <p id={`${id}-hint`} className="muted">
        Placement reads the carbon intensity for its green objectives; an empty field clears the value.
      </p>
      <label className="field">
        <span>Location</span>
        <input
          name="location"
          value={locationText}
          onChange={(event) => setLocationText(event.target.value)}
          autoComplete="off"
          aria-invalid={errors.location ? true : undefined}
          aria-describedby={locationError}
        />
        {errors.location && (
          <span id={locationError} className={styles.fieldError}>
            {errors.location}
          </span>
        )}
      </label>
      <label className="field">
        <span>Carbon intensity (gCO₂/kWh)</span>
        <input
          name="carbonIntensity"
          inputMode="decimal"
          value={carbonText}
          onChange={(event) => setCarbonText(event.target.value)}
          autoComplete="off"
          aria-invalid={errors.carbonIntensity ? true : undefined}
          aria-describedby={carbonError}
        />
        {errors.carbonIntensity && (
          <span id={carbonError} className={styles.fieldError}>
            {errors.carbonIntensity}
          </span>
        )}
      </label>
      {errors.form && (
        <div className="notice notice-error" role="alert">
          {errors.form}
        </div>
      )}
      <div className={styles.formActions}>
        <button type="submit" className="button button-primary" disabled={update.isPending}>
          {update.isPending ? "Saving…" : "Save attributes"}
        </button>
        <span role="status" className="muted">
          {saved}
        </span>
      </div>
    </form>
  );
}

/** The server's validation issues by field (their path is the input field's name); anything else for the whole form. */
function fieldErrorsOf(error: unknown): FieldErrors {
  const result: FieldErrors = {};
  if (isTRPCClientError(error)) {
    const data = error.data as { code?: string; issues?: { path: string; message: string }[] | null; zodError?: { fieldErrors?: Record<string, string[] | undefined> } | null } | undefined;
    for (const issue of data?.issues ?? []) {
      if (issue.path === "location" || issue.path === "carbonIntensity") result[issue.path] = issue.message;
      else result.form = [result.form, issue.message].filter(Boolean).join("; ");
    }
    for (const [field, messages] of Object.entries(data?.zodError?.fieldErrors ?? {})) {
      if ((field === "location" || field === "carbonIntensity") && messages?.length) result[field] = messages.join("; ");
    }
    if (data?.code === "CONFLICT") result.form = `${error.message}. The form now shows the current values; check them and save again.`;
  }
  if (!result.location && !result.carbonIntensity && !result.form) result.form = errorMessage(error);
  return result;
}
