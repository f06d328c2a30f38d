/**
 * Every operation kind the server can run again — retried by an operator, or resumed after its
 * process died — and every deferrable step the reconciler can complete later.
 */
import { clusterDeferredStepHandlers, clusterOperationExecutors } from "../../lib/clusters";
import { graphDeferredStepHandlers, graphOperationExecutors } from "../../lib/graphs";
import type { DeferredStepHandlers, OperationExecutors } from "../../lib/operations";
import { executeScaleOperation } from "../../lib/scaling";

export const operationExecutors: OperationExecutors = { ...graphOperationExecutors, ...clusterOperationExecutors, scale: executeScaleOperation };

export const deferredStepHandlers: DeferredStepHandlers = { ...graphDeferredStepHandlers, ...clusterDeferredStepHandlers };
