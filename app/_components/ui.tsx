"use client";
/** Small building blocks shared by the console's pages: headers, states, badges, errors. */
import type { ReactNode } from "react";
import { errorMessage } from "@/app/trpc";

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

/** What to do next when a list is empty, rather than a blank area. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state" role="status">
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function ErrorNotice({ error, title = "Something went wrong" }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      <strong>{title}:</strong> {errorMessage(error)}
    </div>
  );
}

const TONES: Record<string, "ok" | "warn" | "danger" | "info" | "muted"> = {
  Running: "ok",
  Deployed: "ok",
  Ready: "ok",
  succeeded: "ok",
  optimal: "ok",
  Deploying: "info",
  Stopping: "info",
  Removing: "info",
  running: "info",
  pending: "muted",
  Pending: "warn",
  feasible: "warn",
  deferred: "muted",
  skipped: "muted",
  Stopped: "muted",
  "Not deployed": "muted",
  cancelled: "muted",
  NotReady: "danger",
  Failed: "danger",
  failed: "danger",
  infeasible: "danger",
  unknown: "warn",
  info: "info",
  warning: "warn",
  error: "danger",
};

/** A status word with a colour and a shape, so that it does not rely on colour alone. */
export function StatusBadge({ status, label }: { status: string; label?: string }) {
  const tone = TONES[status] ?? "muted";
  return (
    <span className={`badge badge-${tone}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {label ?? status}
    </span>
  );
}

export function Stat({ label, value, detail }: { label: string; value: ReactNode; detail?: ReactNode }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {detail && <div className="stat-detail">{detail}</div>}
    </div>
  );
}
