export { syncClusters, clusterOperationExecutors, type SyncClustersResult } from "./sync";
export { listClusters } from "./list";
export { getCluster, usedCapacityOf } from "./get";
export { updateClusterAttributes, LOCATION_MAX_LENGTH, CARBON_INTENSITY_MAX } from "./update";
export { federationSummary } from "./summary";
export { placementClusters, toPlacementCluster } from "./placement";
export { REMOVED_FROM_KARMADA, NOTABLE_CAPACITY_SHARE } from "./store";
export { CLUSTER_DASHBOARD_STEP, publishClusterDashboard, clusterDeferredStepHandlers, joinGrafanaUrl } from "./dashboards";
export type * from "./types";
