/** Placement (SPEC §4): first-fit, green-best-fit and the optimal MILP, one input and one result type. */
export * from "./types";
export { planPlacement, DEFAULT_TIME_LIMIT_SECONDS } from "./plan";
export { evaluatePlacement } from "./evaluate";
export { placementInputFromHdag, energyEfficientCarbonWeight, type PlacementInputFromHdagOptions } from "./from-hdag";
export { parsePlacementScenario, type PlacementScenario } from "./scenario";
