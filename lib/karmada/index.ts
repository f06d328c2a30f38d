export { createKarmadaClient, type KarmadaClientOptions } from "./client";
export { readyPlacementClusters, toClusterState, parseCarbonIntensity, CARBON_INTENSITY_LABEL, GPU_RESOURCE } from "./clusters";
export { findGoverningPolicy, matchesLabelSelector } from "./policies";
export { toKarmadaError } from "./errors";
export { PROMETHEUS_DURATION_PATTERN } from "./schemas";
export type * from "./types";
