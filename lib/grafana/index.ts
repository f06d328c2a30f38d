export * from "./client";
export * from "./dashboards";
export * from "./names";
export * from "./embed";
