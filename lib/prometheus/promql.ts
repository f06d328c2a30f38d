/**
 * Building PromQL safely. Every query SMO generates goes through `selector()`, which puts
 * each label value inside exactly one double-quoted, escaped PromQL string: a value such as
 * `x"} or vector(1)` stays a value and can never become query syntax.
 */

import { ValidationError } from "../errors";

/** A label matcher; a plain string in `selector()` means `=`. */
export type LabelMatcher = { op: "=" | "!=" | "=~" | "!~"; value: string };
export type LabelMatchers = Record<string, string | LabelMatcher>;

export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Escapes `value` for a double-quoted PromQL string (without the quotes). Backslash, double
 * quote and line breaks are escaped as Go/PromQL escapes; other control characters and
 * U+FFFD (which Prometheus's lexer rejects as an invalid UTF-8 rune) as `\uXXXX`.
 * A lone UTF-16 surrogate cannot be sent as UTF-8 at all and is rejected.
 */
export function escapeLabelValue(value: string): string {
  let escaped = "";
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    const code = value.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw invalidUnicode(value);
      escaped += char + value[index + 1];
      index++;
      continue;
    }
    if (code >= 0xdc00 && code <= 0xdfff) throw invalidUnicode(value);
    switch (char) {
      case "\\":
        escaped += "\\\\";
        break;
      case '"':
        escaped += '\\"';
        break;
      case "\n":
        escaped += "\\n";
        break;
      case "\r":
        escaped += "\\r";
        break;
      case "\t":
        escaped += "\\t";
        break;
      default:
        escaped += code < 0x20 || code === 0x7f || code === 0xfffd ? `\\u${code.toString(16).padStart(4, "0")}` : char;
    }
  }
  return escaped;
}

/** Quotes `value` as a PromQL string literal. */
export function quoteLabelValue(value: string): string {
  return `"${escapeLabelValue(value)}"`;
}

/** Escapes RE2 metacharacters so that `text` matches literally inside a `=~` matcher. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&");
}

/** `=~` matcher helper: `{ pod: matchRegex(`${escapeRegex(service)}-.*`) }`. */
export function matchRegex(pattern: string): LabelMatcher {
  return { op: "=~", value: pattern };
}

export function notEqual(value: string): LabelMatcher {
  return { op: "!=", value };
}

/**
 * `metric{label="value",…}` with every value escaped. Label names and the metric name are
 * validated (they cannot be quoted in PromQL), so a bad one is a ValidationError, not a query.
 */
export function selector(metric: string, labels: LabelMatchers = {}): string {
  if (!METRIC_NAME_PATTERN.test(metric)) {
    throw new ValidationError([{ path: "metric", message: `"${metric}" is not a valid Prometheus metric name` }]);
  }
  const matchers = Object.entries(labels).map(([name, matcher]) => {
    if (!LABEL_NAME_PATTERN.test(name)) {
      throw new ValidationError([{ path: `labels.${name}`, message: `"${name}" is not a valid Prometheus label name` }]);
    }
    const { op, value } = typeof matcher === "string" ? { op: "=" as const, value: matcher } : matcher;
    return `${name}${op}${quoteLabelValue(value)}`;
  });
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(",")}}`;
}

/** `selector[window]`, the window validated as a positive Prometheus duration. */
export function rangeSelector(metric: string, labels: LabelMatchers, window: string): string {
  assertPrometheusWindow(window, "window");
  return `${selector(metric, labels)}[${window}]`;
}

const DURATION_PATTERN = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1];

/** Milliseconds of a Prometheus duration (`5m`, `1h30m`, `500ms`, `0`), or undefined when it is not one. */
export function parsePrometheusDuration(text: string): number | undefined {
  if (text === "0") return 0;
  if (text === "") return undefined;
  const match = DURATION_PATTERN.exec(text);
  if (!match) return undefined;
  let total = 0;
  for (let unit = 0; unit < DURATION_UNITS_MS.length; unit++) {
    const amount = match[unit + 1];
    if (amount !== undefined) total += Number(amount) * DURATION_UNITS_MS[unit]!;
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

/** True when `text` is a Prometheus duration such as `30s`, `5m`, `1h30m`. */
export function isPrometheusDuration(text: string): boolean {
  return parsePrometheusDuration(text) !== undefined;
}

/** Throws a ValidationError at `path` unless `window` is a duration greater than zero. */
export function assertPrometheusWindow(window: string, path: string): void {
  const milliseconds = parsePrometheusDuration(window);
  if (milliseconds === undefined || milliseconds <= 0) {
    throw new ValidationError([
      { path, message: `"${window}" is not a positive Prometheus duration (examples: 30s, 5m, 1h30m)` },
    ]);
  }
}

function invalidUnicode(value: string): ValidationError {
  return new ValidationError([
    { path: "label value", message: `${JSON.stringify(value)} contains a lone UTF-16 surrogate and cannot be sent to Prometheus` },
  ]);
}
