export * from "./client";
export * from "./dashboards";
export * from "./names";
export { ALL_VALUES, soloPanelUrl, type SoloPanelOptions } from "./panels";
