import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyHelmError, extractHelmErrorMessage } from "./errors";

/** The `stderr:` lines of the recorded helm wire samples. */
function fixtureErrors(): string[] {
  const text = readFileSync(new URL("../../../shared/fixtures/helm-errors.txt", import.meta.url), "utf8");
  return [...text.matchAll(/^stderr(?: \(Helm [34]\.x\))?: (Error: .*)$/gm)].map((match) => match[1]);
}

describe("helm error classification", () => {
  it("classifies every error of the wire samples", () => {
    const reasons = Object.fromEntries(fixtureErrors().map((line) => [line, classifyHelmError(extractHelmErrorMessage(line) ?? "")]));
    expect(reasons).toMatchObject({
      "Error: INSTALLATION FAILED: cannot re-use a name that is still in use": "name-in-use",
      "Error: INSTALLATION FAILED: cannot reuse a name that is still in use": "name-in-use",
      'Error: INSTALLATION FAILED: create: failed to create: namespaces "team-a" not found': "namespace-missing",
      'Error: UPGRADE FAILED: "web" has no deployed releases': "not-found",
      "Error: uninstall: Release not loaded: web: release: not found": "not-found",
      "Error: release: not found": "not-found",
      "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress": "in-progress",
      'Error: INSTALLATION FAILED: path "./nope" not found': "chart-unavailable",
      "Error: unknown flag: --reuse-values": "invalid",
    });
    expect(
      classifyHelmError('INSTALLATION FAILED: Kubernetes cluster unreachable: Get "https://127.0.0.1:6443/version": dial tcp 127.0.0.1:6443: connect: connection refused'),
    ).toBe("unreachable");
    expect(classifyHelmError('failed to do request: Head "https://r.example/v2/x/manifests/1": dial tcp: lookup r.example: no such host')).toBe("chart-unavailable");
    expect(classifyHelmError("something else entirely")).toBe("failed");
    expect(Object.keys(reasons).length).toBeGreaterThanOrEqual(10);
  });

  it("takes helm's Error line without its prefix, ignoring warnings and usage blocks", () => {
    expect(extractHelmErrorMessage('WARNING: kubeconfig is group-readable\nError: "helm uninstall" requires at least 1 argument\n\nUsage:  helm uninstall')).toBe(
      '"helm uninstall" requires at least 1 argument',
    );
    expect(extractHelmErrorMessage("\n  panic: boom\n")).toBe("panic: boom");
    expect(extractHelmErrorMessage("")).toBeUndefined();
  });
});
