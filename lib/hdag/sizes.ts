/**
 * Compute intents: the size classes of the original SMO (its `intent_translation.py`) and the
 * explicit quantities a descriptor may give instead. CPU is in cores, memory and storage in bytes.
 */

const KIB = 2 ** 10;
const MIB = 2 ** 20;
const GIB = 2 ** 30;

export const CPU_SIZE_CLASSES: Readonly<Record<string, number>> = { light: 0.5, small: 1, medium: 4, large: 8 };
export const MEMORY_SIZE_CLASSES: Readonly<Record<string, number>> = { light: 500 * MIB, small: GIB, medium: 2 * GIB, large: 8 * GIB };
/** The original has no `light` storage class; GB here are 10^9 bytes, as in its table ("10GB"). */
export const STORAGE_SIZE_CLASSES: Readonly<Record<string, number>> = { small: 10e9, medium: 20e9, large: 40e9 };

/** What a service gets when its descriptor says nothing about a resource: the `small` class. */
export const DEFAULT_SIZE_CLASS = "small";

/** Kubernetes cannot request less than one millicore. */
const MIN_CPU = 0.001;
/** A million cores: anything above is a typo, and would overflow the placement arithmetic's intent. */
const MAX_CPU = 1_000_000;
/** Below a megabyte a memory or storage amount is a unit mistake (`ram: 512` is 512 bytes). */
const MIN_BYTES = 1e6;
const MAX_BYTES = 2 ** 60;

/**
 * Units for memory and storage: the Kubernetes suffixes (`Ki`, `M`, ...) and the spellings with a
 * `B` that the size table and people use (`MiB`, `GB`). Decimal units are powers of 10.
 */
const BYTE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  B: 1,
  k: 1e3,
  K: 1e3,
  kB: 1e3,
  KB: 1e3,
  M: 1e6,
  MB: 1e6,
  G: 1e9,
  GB: 1e9,
  T: 1e12,
  TB: 1e12,
  P: 1e15,
  PB: 1e15,
  E: 1e18,
  EB: 1e18,
  Ki: KIB,
  KiB: KIB,
  Mi: MIB,
  MiB: MIB,
  Gi: GIB,
  GiB: GIB,
  Ti: 2 ** 40,
  TiB: 2 ** 40,
  Pi: 2 ** 50,
  PiB: 2 ** 50,
  Ei: 2 ** 60,
  EiB: 2 ** 60,
};

const NUMBER_WITH_UNIT = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]{1,3}))?\s*([A-Za-z]*)$/;

export type ResourceKind = "cpu" | "memory" | "storage";

/** A compute amount read from a descriptor: the number, or why the text is not one. */
export type ResourceReading = { ok: true; amount: number } | { ok: false; reason: string };

const CLASSES: Record<ResourceKind, Readonly<Record<string, number>>> = {
  cpu: CPU_SIZE_CLASSES,
  memory: MEMORY_SIZE_CLASSES,
  storage: STORAGE_SIZE_CLASSES,
};

/**
 * Reads a cpu, ram or storage intent: a size class (case-insensitive), a number (cores, or bytes
 * for memory and storage, as Kubernetes reads a bare number) or a quantity text
 * (`"250m"`, `"2"` for cpu; `"512Mi"`, `"3GiB"`, `"5G"`, `"1.5e9"` for memory and storage).
 */
export function readResourceAmount(kind: ResourceKind, given: unknown): ResourceReading {
  const classes = CLASSES[kind];
  if (typeof given !== "number" && typeof given !== "string") {
    return { ok: false, reason: `expected a size class (${Object.keys(classes).join(", ")}) or a quantity, got ${describeKind(given)}` };
  }
  if (typeof given === "string") {
    const name = given.trim().toLowerCase();
    if (Object.hasOwn(classes, name)) return { ok: true, amount: classes[name]! };
  }
  if (typeof given === "number" && !Number.isFinite(given)) return { ok: false, reason: `${given} is not a finite amount` };
  const amount = typeof given === "number" ? given : parseQuantityText(kind, given.trim());
  if (amount === undefined || Number.isNaN(amount)) return { ok: false, reason: explainUnreadable(kind, String(given)) };
  return checkRange(kind, amount, String(given));
}

function parseQuantityText(kind: ResourceKind, text: string): number | undefined {
  const match = NUMBER_WITH_UNIT.exec(text);
  if (!match) return undefined;
  const [, digits = "", exponent, unit = ""] = match;
  const base = Number(digits) * (exponent ? 10 ** Number(exponent) : 1);
  if (kind === "cpu") {
    if (unit === "") return base;
    if (unit === "m") return base / 1000;
    return undefined;
  }
  const factor = Object.hasOwn(BYTE_UNITS, unit) ? BYTE_UNITS[unit] : undefined;
  // Kubernetes rounds fractional bytes up.
  return factor === undefined ? undefined : Math.ceil(base * factor);
}

function checkRange(kind: ResourceKind, amount: number, given: string): ResourceReading {
  if (!Number.isFinite(amount)) return { ok: false, reason: `"${given}" is not a finite amount` };
  if (amount <= 0) return { ok: false, reason: `must be more than zero, got "${given}"` };
  if (kind === "cpu") {
    if (amount < MIN_CPU) return { ok: false, reason: `"${given}" is less than one millicore (1m), the smallest CPU amount Kubernetes can request` };
    if (amount > MAX_CPU) return { ok: false, reason: `"${given}" is more than ${MAX_CPU} cores` };
    return { ok: true, amount };
  }
  if (amount < MIN_BYTES) {
    const hint = /^[0-9.]+$/.test(given) ? ` (a bare number means bytes: did you mean "${given}Mi" or "${given}Gi"?)` : "";
    return { ok: false, reason: `"${given}" is less than 1M (a megabyte), too little to be meant${hint}` };
  }
  if (amount > MAX_BYTES) return { ok: false, reason: `"${given}" is more than 1Ei` };
  return { ok: true, amount };
}

function explainUnreadable(kind: ResourceKind, given: string): string {
  const classes = Object.keys(CLASSES[kind]).join(", ");
  if (/^[A-Za-z][A-Za-z_-]*$/.test(given)) {
    return `unknown ${kind} size class "${given}": use one of ${classes}, or an explicit quantity`;
  }
  const quantity =
    kind === "cpu"
      ? "a CPU quantity: cores such as 2 or 0.5, or millicores such as 250m"
      : `a ${kind} quantity such as 512Mi, 3Gi, 3GiB or 5G`;
  return `"${given}" is neither a size class (${classes}) nor ${quantity}`;
}

function describeKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `a ${typeof value}`;
}
