import { describe, expect, it } from "vitest";
import { ValidationError } from "../errors";
import { buildInstallArgv, buildListArgv, buildStatusArgv, buildUninstallArgv, buildUpgradeArgv, explainInvalidChartReference } from "./argv";

const base = {
  release: "noise-reduction",
  chart: "oci://127.0.0.1:5000/test/noise-reduction",
  namespace: "demo",
  valuesFile: "/tmp/smo-helm-abc/values.yaml",
  kubeconfigPath: "/etc/smo/karmada.kubeconfig",
  plainHttp: false,
};

const INJECTIONS = ["$(id)", "; rm -rf /", "--set=x", "-n kube-system", "web\nrm -rf /", "`id`", "a b", "--kubeconfig=/tmp/evil", "-", "web;id", "web|id", "web&&id", "\u0000", "web\r"];

describe("helm argv (SPEC §3)", () => {
  it("builds install exactly as the original SMO does", () => {
    expect(buildInstallArgv(base)).toEqual([
      "install",
      "noise-reduction",
      "oci://127.0.0.1:5000/test/noise-reduction",
      "--values",
      "/tmp/smo-helm-abc/values.yaml",
      "--namespace",
      "demo",
      "--create-namespace",
      "--kubeconfig",
      "/etc/smo/karmada.kubeconfig",
    ]);
    expect(buildInstallArgv({ ...base, plainHttp: true }).at(-1)).toBe("--plain-http");
  });

  it("builds upgrade with the install flags, --plain-http when asked and --reuse-values last", () => {
    expect(buildUpgradeArgv({ ...base, plainHttp: true, reuseValues: true })).toEqual([
      "upgrade",
      "noise-reduction",
      "oci://127.0.0.1:5000/test/noise-reduction",
      "--values",
      "/tmp/smo-helm-abc/values.yaml",
      "--namespace",
      "demo",
      "--create-namespace",
      "--kubeconfig",
      "/etc/smo/karmada.kubeconfig",
      "--plain-http",
      "--reuse-values",
    ]);
    expect(buildUpgradeArgv({ ...base, reuseValues: false })).not.toContain("--reuse-values");
  });

  it("builds uninstall, status and list", () => {
    const ref = { release: "web", namespace: "demo", kubeconfigPath: "/k" };
    expect(buildUninstallArgv(ref)).toEqual(["uninstall", "web", "--namespace", "demo", "--kubeconfig", "/k"]);
    expect(buildStatusArgv(ref)).toEqual(["status", "web", "--namespace", "demo", "--kubeconfig", "/k", "--output", "json"]);
    expect(buildListArgv({ namespace: "demo", kubeconfigPath: "/k" })).toEqual(["list", "--namespace", "demo", "--kubeconfig", "/k", "--output", "json"]);
    expect(buildListArgv({ kubeconfigPath: "/k" })).toEqual(["list", "--all-namespaces", "--kubeconfig", "/k", "--output", "json"]);
  });

  it.each(INJECTIONS)("rejects %j as release, namespace and chart before building anything", (attack) => {
    for (const field of ["release", "namespace", "chart"] as const) {
      const attempt = () => buildInstallArgv({ ...base, [field]: attack });
      expect(attempt).toThrow(ValidationError);
      try {
        attempt();
      } catch (error) {
        expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(field);
      }
    }
    expect(() => buildUninstallArgv({ release: attack, namespace: "demo", kubeconfigPath: "/k" })).toThrow(ValidationError);
    expect(() => buildUninstallArgv({ release: "web", namespace: attack, kubeconfigPath: "/k" })).toThrow(ValidationError);
  });

  it("rejects a kubeconfig or values path that could be read as a flag", () => {
    expect(() => buildInstallArgv({ ...base, kubeconfigPath: "--set=x" })).toThrow(/kubeconfigPath/);
    expect(() => buildInstallArgv({ ...base, valuesFile: "-f" })).toThrow(/valuesFile/);
    expect(() => buildUninstallArgv({ release: "web", namespace: "demo", kubeconfigPath: "/k\n--debug" })).toThrow(/kubeconfigPath/);
  });

  it("names every invalid field at once", () => {
    try {
      buildInstallArgv({ ...base, release: "Web_App", namespace: "-n", chart: "$(id)" });
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual(["release", "namespace", "chart"]);
    }
  });

  it("accepts the chart references SMO meets and rejects malformed ones", () => {
    for (const good of [
      "oci://127.0.0.1:5000/test/noise-reduction",
      "oci://localhost:5000/demo2/ml-inference:0.2.0",
      "oci://registry.example.com/charts/web@sha256:" + "a".repeat(64),
      "oci://[::1]:5000/x/y",
      "./charts/web",
      "/srv/charts/web-0.1.0.tgz",
      "bitnami/nginx",
    ]) {
      expect(explainInvalidChartReference(good), good).toBeUndefined();
    }
    for (const bad of ["oci://", "oci://host", "oci://host/UPPER", "https://x/y", "oci://host/x:tag with space", "oci://-host/x", "", "x".repeat(600)]) {
      expect(explainInvalidChartReference(bad), bad).toBeDefined();
    }
  });

  it("never lets input start an argv element with '-' (by construction, over random inputs)", () => {
    // Mostly characters of valid names, so that many inputs pass validation and reach the builder.
    const alphabet = [..."abcdefghijklmnopqrstuvwxyz0123456789----", ".", "/", ":", "=", "$", "(", ")", ";", " ", "\n", "_", "A", "@", "`", "|", "&", "'", '"'];
    let seed = 20250304;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const randomText = () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
    let built = 0;
    for (let round = 0; round < 5000; round++) {
      const input = { ...base, release: randomText(), namespace: random() < 0.5 ? "demo" : randomText(), chart: random() < 0.5 ? `oci://127.0.0.1:5000/${randomText()}` : randomText() };
      let argv: string[];
      try {
        argv = buildUpgradeArgv({ ...input, reuseValues: true });
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        continue;
      }
      built++;
      // Positions that carry input: the two operands and the value after --namespace.
      for (const value of [argv[1], argv[2], argv[argv.indexOf("--namespace") + 1]]) expect(value.startsWith("-")).toBe(false);
      // Every flag in the vector is one the builder itself wrote.
      expect(argv.filter((element) => element.startsWith("-"))).toEqual(["--values", "--namespace", "--create-namespace", "--kubeconfig", "--reuse-values"]);
    }
    expect(built).toBeGreaterThan(50);
  });
});
