export { detectDrift, findGraphDrift, type DriftItem, type DriftKind, type DriftReport } from "./detect";
export { reapplyGraph, executeReapply } from "./reapply";
