/** Scaling (SPEC §5): the original SMO replica model, the threshold scaler, request-rate PromQL. */
export {
  solveReplicas,
  replicaObjective,
  minimumReplicas,
  validateReplicaProblem,
  type ReplicaCluster,
  type ReplicaService,
  type ReplicaProblem,
  type ReplicaResult,
} from "./replicas";
export { decideThresholdScaling, type ThresholdAdjustment, type ThresholdScalerInput, type ThresholdDecision, type ThresholdAction } from "./threshold";
export { buildRequestRateQuery, renderQueryTemplate, REQUEST_RATE_METRIC, QUERY_PLACEHOLDERS, type ScalingQueryOptions } from "./queries";
export { parseReplicaScenario, ReplicaScenario } from "./scenario";
export { runScalingPass, executeScaleOperation, type ScalingPassOptions, type ScalingPassResult, type ScalingDecisionAction, type ScalingDecisionRecord, type ScaleOperationInput } from "./loop";
export { getScalingPolicies, upsertScalingPolicy, validatePolicyInput, ScalingPolicyInput, type ScalingPolicy } from "./policies";
export { createLeaderElector, SCALER_LOCK_KEY, type LeaderElector } from "./leader";
export { listScalingDecisions, type ListScalingDecisionsInput } from "./decisions";
export { runThresholdStep, type ThresholdStepInput, type ThresholdStepResult } from "./step";
