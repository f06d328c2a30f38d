export { createHelmClient } from "./client";
export type {
  HelmClient,
  HelmClientOptions,
  HelmCommandResult,
  HelmInstallInput,
  HelmListedRelease,
  HelmReleaseOutcome,
  HelmReleaseRef,
  HelmReleaseStatus,
  HelmUpgradeInput,
} from "./client";
export { HelmCommandError, classifyHelmError, extractHelmErrorMessage } from "./errors";
export type { HelmErrorReason } from "./errors";
export { buildPlacementValues, isWotImplementer, mergeValues } from "./values";
export type { HelmValues, PlacementValuesInput } from "./values";
export { explainInvalidChartReference } from "./argv";
