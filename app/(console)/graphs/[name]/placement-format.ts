/** Labels and number formats for placement cost terms, shared by the explanation and the re-placement preview. */
import type { PlacementTerms } from "@/lib/placement/types";

export const TERMS = ["migration", "carbon", "communication", "balance"] as const satisfies readonly (keyof PlacementTerms)[];

export const TERM_LABELS: Record<(typeof TERMS)[number], string> = {
  migration: "Migration",
  carbon: "Carbon",
  communication: "Communication",
  balance: "Balance",
};

const NUMBER = new Intl.NumberFormat("en", { maximumFractionDigits: 3 });

/** A cost, or "—"; `signed` shows + on increases (a change). NaN reads "breaks a constraint". */
export function formatCost(value: number | null | undefined, signed = false): string {
  if (value === null || value === undefined) return "—";
  if (Number.isNaN(value)) return "breaks a constraint";
  if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
  const text = NUMBER.format(Math.abs(value) < 5e-4 ? 0 : value);
  return signed && value >= 5e-4 ? `+${text}` : text;
}
