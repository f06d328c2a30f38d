/**
 * The graph lifecycle (SPEC §3): deploy, stop, start, remove, preview and apply re-placements,
 * retry — each a durable operation run through the real clients — and the queries the console
 * and the CLI read graphs with.
 */
export { deployGraph, executeDeploy, type DeployGraphInput, type DeployGraphResult, type DeployOperationInput } from "./deploy";
export { readDescriptor, readDescriptorText, type DescriptorSource } from "./descriptor";
export { stopGraph, executeStop, type GraphOperationResult, type LifecycleInput } from "./stop";
export { startGraph, executeStart } from "./start";
export { removeGraph, executeRemove } from "./remove";
export {
  previewReplacement,
  replaceGraph,
  executeReplace,
  type PlacementMove,
  type PlacementSide,
  type PreviewReplacementInput,
  type ReplaceGraphInput,
  type ReplaceGraphResult,
  type ReplacementPreview,
} from "./replace";
export { graphOperationExecutors, graphDeferredStepHandlers, retryGraphOperation } from "./executors";
export { getGraph, GRAPH_PAGE_SIZE, listGraphs, listProjects, type GraphDetail, type GraphPage, type ListGraphsInput, type GraphSummary, type PlacementSummary, type ProjectSummary, type ServiceDetail } from "./queries";
export { PENDING_RELEASE_WAIT_MS } from "./releases";
export { graphMetrics, DEFAULT_METRICS_MINUTES, MAX_METRICS_MINUTES, type GraphMetrics, type GraphMetricsInput, type MetricsPoint, type ServiceMetrics } from "./metrics";
