/** Browser tests run only against a console on this machine's loopback addresses. */
export function assertLoopback(baseURL: string | undefined): void {
  const host = baseURL ? new URL(baseURL).hostname : "";
  if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host) && !host.startsWith("127.")) {
    throw new Error(`refusing to run browser tests against ${baseURL ?? "an unset baseURL"}: only loopback addresses are allowed`);
  }
}
