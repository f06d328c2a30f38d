/**
 * Kubernetes resource quantities ("250m", "3Gi", "395890588Ki", "1e3") as plain numbers:
 * CPU in cores, memory and storage in bytes. Parsed, never compared as strings.
 */

const BINARY_SUFFIXES: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const DECIMAL_SUFFIXES: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const FRACTION_SUFFIXES: Record<string, number> = { n: 1e9, u: 1e6, m: 1e3 };

const QUANTITY_PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** Parses a quantity; returns undefined when the text is not one. */
export function tryParseQuantity(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isFinite(text) ? text : undefined;
  const match = QUANTITY_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const [, digits, exponent, suffix] = match;
  const base = Number(digits);
  if (exponent) return base * 10 ** Number(exponent.slice(1));
  // Fractional suffixes divide, so "1400m" is exactly 1.4 rather than 1.4000000000000001.
  const divisor = suffix ? FRACTION_SUFFIXES[suffix] : undefined;
  if (divisor) return base / divisor;
  const unit = suffix ? (BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix]) : 1;
  return base * (unit ?? 1);
}

/** Parses a quantity or throws an error that quotes the text. */
export function parseQuantity(text: string | number): number {
  const value = tryParseQuantity(text);
  if (value === undefined) throw new Error(`"${String(text)}" is not a Kubernetes quantity`);
  return value;
}

/** Cores as a Kubernetes CPU quantity: whole cores plain, fractions in millicores. */
export function formatCpu(cores: number): string {
  const millis = Math.round(cores * 1000);
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/** Bytes as the largest exact binary quantity ("3Gi", "500Mi", "1536Ki"). */
export function formatBytes(bytes: number): string {
  const rounded = Math.round(bytes);
  for (const suffix of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"] as const) {
    const unit = BINARY_SUFFIXES[suffix]!;
    if (rounded >= unit && rounded % unit === 0) return `${rounded / unit}${suffix}`;
  }
  return String(rounded);
}
