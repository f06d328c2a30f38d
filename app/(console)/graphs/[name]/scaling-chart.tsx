"use client";
/**
 * The scaling history chart (recharts, loaded lazily): request rate and capacity on the left
 * axis, ready replicas on the right, and a vertical mark at each time the scaler changed replicas.
 */
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { MetricsPoint } from "@/lib/graphs/metrics";
import type { ScalingDecisionPoint } from "./scaling-model";

const TIME = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
const TIME_SECONDS = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const VALUE = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });

const hasValue = (point: MetricsPoint) => point.requestRate !== null || point.replicas !== null || point.capacity !== null;

export default function ScalingChart({ points: window, decisions }: { points: MetricsPoint[]; decisions: ScalingDecisionPoint[] }) {
  // A service deployed within the window has no values before: the chart starts where its values do.
  const start = window.findIndex(hasValue);
  const points = start > 0 ? window.slice(start) : window;
  const dots = points.length < 8;
  const first = points[0]?.time ?? 0;
  const last = points[points.length - 1]?.time ?? 0;
  // Minutes repeat on a short span: show seconds there.
  const tickFormat = last - first < 10 * 60_000 ? TIME_SECONDS : TIME;
  const scaled = decisions.filter((decision) => decision.action === "scaled" && decision.at >= first && decision.at <= last);
  return (
    <ResponsiveContainer width="100%" height={260}>
      <LineChart data={points} margin={{ top: 12, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
        <XAxis dataKey="time" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={(value: number) => tickFormat.format(value)} stroke="var(--muted)" fontSize={12} minTickGap={40} />
        <YAxis yAxisId="rate" stroke="var(--muted)" fontSize={12} width={52} label={{ value: "req/s", angle: -90, position: "insideLeft", fill: "var(--muted)", fontSize: 12 }} />
        <YAxis yAxisId="replicas" orientation="right" allowDecimals={false} stroke="var(--muted)" fontSize={12} width={44} label={{ value: "replicas", angle: 90, position: "insideRight", fill: "var(--muted)", fontSize: 12 }} />
        <Tooltip
          labelFormatter={(value) => TIME_SECONDS.format(Number(value))}
          formatter={(value, name) => [typeof value === "number" ? VALUE.format(value) : String(value ?? "—"), name]}
          contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 8, color: "var(--text)" }}
        />
        <Legend wrapperStyle={{ fontSize: 13 }} />
        {scaled.map((decision) => (
          <ReferenceLine key={decision.at} yAxisId="replicas" x={decision.at} stroke="var(--warn)" strokeDasharray="2 3" label={{ value: `${decision.from ?? "?"}→${decision.to ?? "?"}`, position: "top", fill: "var(--warn)", fontSize: 11 }} />
        ))}
        <Line yAxisId="rate" type="monotone" dataKey="requestRate" name="Request rate" stroke="var(--accent)" strokeWidth={2} dot={dots} connectNulls={false} isAnimationActive={false} />
        <Line yAxisId="rate" type="stepAfter" dataKey="capacity" name="Capacity" stroke="var(--ok)" strokeWidth={2} strokeDasharray="6 4" dot={dots} isAnimationActive={false} />
        <Line yAxisId="replicas" type="stepAfter" dataKey="replicas" name="Ready replicas" stroke="var(--warn)" strokeWidth={2} dot={dots} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}
