/** Small helpers shared by the HTTP clients (Prometheus, Grafana) for readable upstream errors. */

/** A fetch failure as one phrase: the socket error code and message when undici gives a cause. */
export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: string }).code;
      return code ? `${code} (${cause.message})` : cause.message;
    }
    return error.message;
  }
  return String(error);
}

/** The start of a response body, on one line, for messages about unexpected answers. */
export function previewBody(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "(empty body)";
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
