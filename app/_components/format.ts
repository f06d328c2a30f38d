/** Display formats shared by the pages (quantities come from lib/quantity, the one place for them). */
export { formatBytes, formatCpu } from "@/lib/quantity";

const RELATIVE = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 30],
  ["month", 12],
];

/** "3 minutes ago", from a date or ISO string; `now` is injectable for stable rendering. */
export function timeAgo(value: Date | string | null | undefined, now: number = Date.now()): string {
  if (!value) return "—";
  let delta = (new Date(value).getTime() - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(delta) < size) return RELATIVE.format(Math.round(delta), unit);
    delta /= size;
  }
  return RELATIVE.format(Math.round(delta), "year");
}

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  return new Date(value).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" });
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)} %`;
}

/** Memory for reading at a glance ("12.5 GiB"); formatBytes gives the exact Kubernetes quantity. */
export function formatMemory(bytes: number): string {
  const gib = bytes / 2 ** 30;
  if (gib >= 1) return `${gib >= 100 ? Math.round(gib) : gib.toFixed(1).replace(/\.0$/, "")} GiB`;
  return `${Math.round(bytes / 2 ** 20)} MiB`;
}
