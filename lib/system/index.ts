export { checkHealth, type ComponentHealth, type HealthOptions, type HealthReport } from "./health";
