"use client";
/** The scaling history chart (recharts, loaded lazily): request rate and capacity on the left axis, replicas on the right. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ScalingPoint } from "./scaling-model";

const TIME = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });

export default function ScalingChart({ points }: { points: ScalingPoint[] }) {
  return (
    <ResponsiveContainer width="100%" height={260}>
      <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid stroke="var(--border)" strokeDasharray="3 3" />
        <XAxis dataKey="at" type="number" scale="time" domain={["dataMin", "dataMax"]} tickFormatter={(value: number) => TIME.format(value)} stroke="var(--muted)" fontSize={12} />
        <YAxis yAxisId="rate" stroke="var(--muted)" fontSize={12} width={48} label={{ value: "req/s", angle: -90, position: "insideLeft", fill: "var(--muted)", fontSize: 12 }} />
        <YAxis yAxisId="replicas" orientation="right" allowDecimals={false} stroke="var(--muted)" fontSize={12} width={40} label={{ value: "replicas", angle: 90, position: "insideRight", fill: "var(--muted)", fontSize: 12 }} />
        <Tooltip
          labelFormatter={(value) => TIME.format(Number(value))}
          contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 8, color: "var(--text)" }}
        />
        <Legend wrapperStyle={{ fontSize: 13 }} />
        <Line yAxisId="rate" type="monotone" dataKey="rate" name="Request rate" stroke="var(--accent)" strokeWidth={2} dot={false} connectNulls isAnimationActive={false} />
        <Line yAxisId="rate" type="stepAfter" dataKey="capacity" name="Capacity" stroke="var(--ok)" strokeWidth={2} strokeDasharray="6 4" dot={false} isAnimationActive={false} />
        <Line yAxisId="replicas" type="stepAfter" dataKey="replicas" name="Replicas" stroke="var(--warn)" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}
