/**
 * A kubeconfig for the emulated Karmada API server, usable by kubectl, helm and
 * @kubernetes/client-node (which, since 1.1, needs `insecure-skip-tls-verify` for http URLs).
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";

export const KUBECONFIG_CONTEXT = "karmada-apiserver";

export type KubeconfigTarget = { url: string; token: string };

export function renderKubeconfig({ url, token }: KubeconfigTarget): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: KUBECONFIG_CONTEXT, cluster: { server: url, "insecure-skip-tls-verify": true } }],
    users: [{ name: KUBECONFIG_CONTEXT, user: { token } }],
    contexts: [{ name: KUBECONFIG_CONTEXT, context: { cluster: KUBECONFIG_CONTEXT, user: KUBECONFIG_CONTEXT } }],
    "current-context": KUBECONFIG_CONTEXT,
    preferences: {},
  });
}

/** Writes the kubeconfig with mode 600 (it holds the token), atomically. */
export function writeKubeconfig(path: string, target: KubeconfigTarget): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, renderKubeconfig(target), { mode: 0o600 });
  renameSync(temporary, path);
}
