/** apps/v1 Deployment → DeploymentState. */

import { tryParseQuantity } from "../quantity";
import type { z } from "zod";
import { roundToNano } from "./clusters";
import type { DeploymentSchema } from "./schemas";
import type { DeploymentState, ObjectRef } from "./types";

/** Annotations Karmada's detector puts on a resource it propagates (karmada well_known_constants.go). */
export const POLICY_NAME_ANNOTATION = "propagationpolicy.karmada.io/name";
export const POLICY_NAMESPACE_ANNOTATION = "propagationpolicy.karmada.io/namespace";

type Deployment = z.infer<typeof DeploymentSchema>;
type ResourceList = Record<string, string | number> | undefined;

export function toDeploymentState(deployment: Deployment, namespace: string): DeploymentState {
  const containers = deployment.spec.template.spec?.containers ?? [];
  // Per container: the limit when set, else the request (what the scheduler reserves), else nothing.
  const perReplica = (resource: string): number =>
    containers.reduce((total, container) => {
      const limits: ResourceList = container.resources?.limits;
      const requests: ResourceList = container.resources?.requests;
      const raw = limits?.[resource] ?? requests?.[resource];
      return total + (raw === undefined ? 0 : (tryParseQuantity(raw) ?? 0));
    }, 0);
  const cpu = roundToNano(perReplica("cpu"));
  const annotations = deployment.metadata.annotations ?? {};
  const policyName = annotations[POLICY_NAME_ANNOTATION];
  const propagationPolicy: ObjectRef | undefined = policyName
    ? { namespace: annotations[POLICY_NAMESPACE_ANNOTATION] ?? namespace, name: policyName }
    : undefined;
  const status = deployment.status ?? {};
  return {
    namespace: deployment.metadata.namespace ?? namespace,
    name: deployment.metadata.name,
    replicas: deployment.spec.replicas ?? 1,
    readyReplicas: status.readyReplicas ?? 0,
    availableReplicas: status.availableReplicas ?? 0,
    updatedReplicas: status.updatedReplicas ?? 0,
    cpuLimit: cpu,
    memoryLimit: perReplica("memory"),
    labels: deployment.metadata.labels ?? {},
    ...(propagationPolicy ? { propagationPolicy } : {}),
  };
}
