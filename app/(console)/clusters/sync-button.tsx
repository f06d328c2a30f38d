"use client";
/** Reads the member clusters from Karmada now (operators); says what changed. Used by the clusters page and the dashboard. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCan } from "@/app/_components/session";
import { ErrorNotice } from "@/app/_components/ui";
import { useTRPC } from "@/app/trpc";
import styles from "./clusters.module.css";

export function SyncClustersButton({ primary = false }: { primary?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canSync = useCan("operator");
  const sync = useMutation(
    trpc.clusters.sync.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.clusters.pathKey() }),
    }),
  );
  if (!canSync) return null;
  const result = sync.data;
  return (
    <div className={styles.sync}>
      <button type="button" className={`button ${primary ? "button-primary" : ""}`} onClick={() => sync.mutate()} disabled={sync.isPending}>
        {sync.isPending ? "Syncing from Karmada…" : "Sync from Karmada"}
      </button>
      <p className={`muted ${styles.syncResult}`} role="status" aria-live="polite">
        {result &&
          `Synced ${result.clusters.length} cluster${result.clusters.length === 1 ? "" : "s"}: ${describeChanges(result.added, "added")}, ${describeChanges(result.changed, "changed")}, ${describeChanges(result.removed, "removed")}.`}
      </p>
      <ErrorNotice error={sync.error} title="Sync failed" />
    </div>
  );
}

function describeChanges(names: string[], verb: string): string {
  if (names.length === 0) return `none ${verb}`;
  return `${names.length} ${verb} (${names.join(", ")})`;
}
