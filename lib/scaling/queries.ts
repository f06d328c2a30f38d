/**
 * PromQL for a service's request rate (SPEC §5). The default is the original SMO's query
 * (abilian/smo-monorepo `PrometheusHelper.get_request_rate`):
 * `sum(rate(flask_http_request_total{service="<id>"}[<window>])) by (service)`, where the
 * original's window is the scaling loop's decision interval in seconds. The original pasted
 * the id in unescaped; here it goes through PromQL string escaping (lib/prometheus/promql),
 * so an id can never close the label matcher and add to the query.
 */
import { ValidationError } from "../errors";
import { assertPrometheusWindow, escapeLabelValue } from "../prometheus/promql";
import { requestRateQuery } from "../prometheus/queries";

export const REQUEST_RATE_METRIC = "flask_http_request_total";
export const QUERY_PLACEHOLDERS = ["service", "window"] as const;
type PlaceholderName = (typeof QUERY_PLACEHOLDERS)[number];

const PLACEHOLDER_PATTERN = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/y;

export type ScalingQueryOptions = {
  /** Range of the rate(), a Prometheus duration such as "30s" or "1m30s". */
  window: string;
  /** The service's own PromQL: `{{service}}` inside a "…" string becomes the escaped id, `{{window}}` the window. */
  template?: string;
};

/** The service's template filled in, or the original default query. */
export function buildRequestRateQuery(service: string, options: ScalingQueryOptions): string {
  if (options.template !== undefined) return renderQueryTemplate(options.template, { service, window: options.window });
  assertPrometheusWindow(options.window, "window");
  // The default text lives with SMO's other queries, which the dashboards share.
  return requestRateQuery({ service, window: options.window, metric: REQUEST_RATE_METRIC });
}

/**
 * Fills a query template. `{{service}}` may appear only inside "…" string literals, where it
 * becomes the escaped value; `{{window}}` only outside strings and comments (it is a validated
 * duration). Anything else — an unknown placeholder, `{{service}}` bare, in a '…' or `…`
 * string or in a comment, an unterminated string — is a ValidationError at `template`.
 */
export function renderQueryTemplate(template: string, values: { service: string; window: string }): string {
  if (typeof template !== "string" || template.trim() === "") fail("must be a non-empty PromQL query");
  let output = "";
  let quote: '"' | "'" | "`" | undefined;
  let inComment = false;
  let index = 0;
  while (index < template.length) {
    PLACEHOLDER_PATTERN.lastIndex = index;
    const placeholder = PLACEHOLDER_PATTERN.exec(template);
    if (placeholder) {
      output += substitute(placeholder[1]!, quote, inComment, index, values);
      index += placeholder[0].length;
      continue;
    }
    const char = template[index++]!;
    output += char;
    if (inComment) {
      if (char === "\n") inComment = false;
    } else if (quote === undefined) {
      if (char === '"' || char === "'" || char === "`") quote = char;
      else if (char === "#") inComment = true;
    } else if (char === "\\" && quote !== "`") {
      // Copy the escaped character too, so that an escaped quote does not end the string.
      if (index < template.length) output += template[index++];
    } else if (char === quote) {
      quote = undefined;
    }
  }
  if (quote !== undefined) fail(`has an unterminated ${quote} string`);
  return output;
}

function substitute(name: string, quote: '"' | "'" | "`" | undefined, inComment: boolean, at: number, values: { service: string; window: string }): string {
  if (!(QUERY_PLACEHOLDERS as readonly string[]).includes(name)) {
    fail(`unknown placeholder {{${name}}} at character ${at}; known: ${QUERY_PLACEHOLDERS.map((known) => `{{${known}}}`).join(", ")}`);
  }
  if ((name as PlaceholderName) === "window") {
    if (quote !== undefined || inComment) fail(`{{window}} at character ${at} must be outside strings and comments, e.g. [{{window}}]`);
    assertPrometheusWindow(values.window, "window");
    return values.window;
  }
  if (quote !== '"' || inComment) fail(`{{service}} at character ${at} must be inside a double-quoted string, e.g. service="{{service}}"`);
  return escapeLabelValue(values.service);
}

function fail(message: string): never {
  throw new ValidationError([{ path: "template", message }]);
}
