"use client";
/**
 * Allocated against available capacity per cluster, one bar chart per resource. The charts are a
 * picture of the table that follows them on the page, which carries the same numbers for reading
 * and for assistive technology.
 */
import dynamic from "next/dynamic";
import styles from "./clusters.module.css";

/** recharts is most of this page's JavaScript: it loads after the page, which shows its table at once. */
const CapacityBars = dynamic(() => import("./capacity-bars").then((module) => module.CapacityBars), { ssr: false });

export type CapacityRow = { name: string; ready: boolean; allocated: number; available: number };

export type CapacityChartProps = {
  title: string;
  unit: string;
  rows: CapacityRow[];
  format: (value: number) => string;
  /** Id of the element (the table) that gives the same figures. */
  tableId: string;
};

export function CapacityChart({ title, unit, rows, format, tableId }: CapacityChartProps) {
  const empty = rows.every((row) => row.allocated + row.available === 0);
  const ticks = niceTicks(Math.max(...rows.map((row) => row.allocated + row.available), 0));
  return (
    <figure className={`card ${styles.chart}`}>
      <figcaption className={styles.chartCaption}>
        <span className={styles.chartTitle}>{title}</span>{" "}
        <span className="muted">
          allocated and available, in {unit}; the <a href={`#${tableId}`}>cluster table</a> gives the same figures.
        </span>
      </figcaption>
      {empty ? (
        <p className={`muted ${styles.chartEmpty}`}>No cluster has any.</p>
      ) : (
        <div className={styles.chartArea} aria-hidden="true">
          <CapacityBars rows={rows} ticks={ticks} format={format} />
        </div>
      )}
    </figure>
  );
}

/** 0 and four round steps (1, 2, 2.5 or 5 × 10ⁿ) that cover `max`. */
export function niceTicks(max: number, steps = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / steps;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw)!;
  const count = Math.ceil(max / step - 1e-9);
  return Array.from({ length: count + 1 }, (_, index) => Number((index * step).toPrecision(12)));
}
