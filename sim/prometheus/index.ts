export { startPrometheusEmulator, type PrometheusEmulator, type PrometheusEmulatorOptions } from "./emulator";
export { defaultLoadProfile, loadAt, validateLoadProfile, SyntheticMetrics, type LoadProfile } from "./synthetic";
export { parsePromql, type Expr, type Matcher } from "./promql-parser";
export { PromqlParseError } from "./promql-lexer";
