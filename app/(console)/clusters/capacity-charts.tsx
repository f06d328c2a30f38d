"use client";
/**
 * Allocated against available capacity per cluster, one bar chart per resource. The charts are a
 * picture of the table that follows them on the page, which carries the same numbers for reading
 * and for assistive technology.
 */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import styles from "./clusters.module.css";

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
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid vertical={false} stroke="var(--border)" />
              <XAxis dataKey="name" tick={{ fill: "var(--muted)", fontSize: 12 }} tickLine={false} axisLine={{ stroke: "var(--border)" }} interval={0} />
              <YAxis
                tick={{ fill: "var(--muted)", fontSize: 12 }}
                tickLine={false}
                axisLine={false}
                width={44}
                ticks={ticks}
                domain={[0, ticks[ticks.length - 1]!]}
                tickFormatter={(value: number) => compact(value)}
              />
              <Tooltip
                cursor={{ fill: "var(--surface-2)" }}
                contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 8, color: "var(--text)" }}
                labelStyle={{ color: "var(--text)", fontWeight: 600 }}
                formatter={(value, name) => [format(Number(value)), name]}
              />
              <Legend wrapperStyle={{ fontSize: 12 }} iconType="square" formatter={(value: string) => <span className={styles.legendText}>{value}</span>} />
              <Bar dataKey="allocated" name="Allocated" stackId="capacity" fill="var(--accent)" isAnimationActive={false} maxBarSize={56} />
              <Bar dataKey="available" name="Available" stackId="capacity" fill="var(--chart-available)" isAnimationActive={false} maxBarSize={56} radius={[4, 4, 0, 0]} />
            </BarChart>
          </ResponsiveContainer>
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

function compact(value: number): string {
  if (value >= 1000) return `${Number((value / 1000).toFixed(1))}k`;
  return String(Number(value.toFixed(1)));
}
