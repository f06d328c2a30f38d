"use client";
/** The recharts part of a capacity chart (loaded on its own: see capacity-charts.tsx). */
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { CapacityRow } from "./capacity-charts";
import styles from "./clusters.module.css";

export function CapacityBars({ rows, ticks, format }: { rows: CapacityRow[]; ticks: number[]; format: (value: number) => string }) {
  return (
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
  );
}

function compact(value: number): string {
  if (value >= 1000) return `${Number((value / 1000).toFixed(1))}k`;
  return String(Number(value.toFixed(1)));
}
