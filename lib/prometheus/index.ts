export * from "./client";
export * from "./promql";
export * from "./queries";
