"use client";
/** A labelled bar with the numbers beside it (the bar is decoration: the text says the same). Used by the dashboard and the cluster page. */
import { formatPercent } from "@/app/_components/format";
import styles from "./clusters.module.css";

export function Meter({ label, used, total, format }: { label: string; used: number; total: number; format: (value: number) => string }) {
  const share = total > 0 ? Math.min(Math.max(used / total, 0), 1) : 0;
  const tone = share >= 0.9 ? styles.meterDanger : share >= 0.75 ? styles.meterWarn : "";
  return (
    <div className={styles.meter}>
      <div className={styles.meterHead}>
        <span className={styles.meterLabel}>{label}</span>
        <span className={styles.meterValue}>{total > 0 ? formatPercent(share) : "none"}</span>
      </div>
      <div className={styles.meterTrack} aria-hidden="true">
        <div className={`${styles.meterFill} ${tone}`} style={{ width: `${share * 100}%` }} />
      </div>
      <div className="muted">
        {format(used)} allocated of {format(total)}
      </div>
    </div>
  );
}

/** "12.5 cores", "1 core": a CPU amount for reading. */
export function formatCores(cores: number): string {
  const rounded = Number(cores.toFixed(cores >= 10 ? 0 : 1));
  return `${rounded} core${rounded === 1 ? "" : "s"}`;
}

export function formatGpus(gpus: number): string {
  return `${gpus} GPU${gpus === 1 ? "" : "s"}`;
}
