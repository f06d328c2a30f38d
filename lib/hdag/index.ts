/**
 * HDAG descriptors: parse and validate (isomorphic: `./parse`), load from a file (Node: `./load`),
 * summarise for display. Client components should import `lib/hdag/parse`, not this barrel,
 * which pulls node:fs in through the loader.
 */
export type { Hdag, HdagCompute, HdagEvent, HdagIntent, HdagService, HdagTrigger, LatencyQos } from "./types";
export {
  computeSpread,
  DEFAULT_HA_SPREAD,
  LATENCY_QOS_VALUES,
  MAX_REPLICAS_ACROSS_CLUSTERS,
  MAX_SERVICES,
  parseHdag,
  type ParseHdagOptions,
} from "./parse";
export { loadHdagFile } from "./load";
export {
  CPU_SIZE_CLASSES,
  DEFAULT_SIZE_CLASS,
  MEMORY_SIZE_CLASSES,
  readResourceAmount,
  STORAGE_SIZE_CLASSES,
  type ResourceKind,
  type ResourceReading,
} from "./sizes";
export { formatHdagIssues, summarizeHdagServices, type HdagServiceSummary } from "./summary";
export {
  DEFAULT_YAML_LIMITS,
  formatPath,
  MAX_REPORTED_ISSUES,
  parseYamlSafely,
  PROTOTYPE_KEYS,
  utf8ByteLength,
  type LocatedIssue,
  type ParsedYaml,
  type PathSegment,
  type YamlLimits,
} from "./yaml";
