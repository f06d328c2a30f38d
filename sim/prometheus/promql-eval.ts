/**
 * PromQL evaluator for the emulator, with Prometheus's semantics where SMO can observe them:
 * 5-minute lookback with staleness, left-open range windows, the extrapolated rate() of
 * `promql/functions.go`, label handling of aggregations and vector matching.
 */

import {
  isComparisonOp,
  isSetOp,
  matchValue,
  type Expr,
  type Matcher,
  type VectorMatching,
  type VectorSelector,
} from "./promql-parser";

export type Labels = Record<string, string>;

/** Samples of one stored series, times in ms ascending; staleness markers kept apart as Prometheus does. */
export type StoredSeries = { labels: Labels; times: number[]; values: number[]; staleTimes: number[] };

/** Where selectors read their samples: every series matching all `matchers` with samples in [mintMs, maxtMs]. */
export type SeriesSource = { select(matchers: Matcher[], mintMs: number, maxtMs: number): StoredSeries[] };

export type VectorSample = { labels: Labels; value: number };
export type RangeSeries = { labels: Labels; times: number[]; values: number[] };
export type EvalValue =
  | { type: "scalar"; value: number }
  | { type: "string"; value: string }
  | { type: "vector"; samples: VectorSample[] }
  | { type: "matrix"; series: RangeSeries[] };

/** An evaluation failure: Prometheus answers these as 422 `execution`. */
export class PromqlExecutionError extends Error {
  override name = "PromqlExecutionError";
}

export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

export function evaluateInstant(expr: Expr, source: SeriesSource, timeMs: number, lookbackMs = DEFAULT_LOOKBACK_MS): EvalValue {
  const evaluator = new Evaluator(expr, source, timeMs, timeMs, lookbackMs);
  return evaluator.evaluate(expr, timeMs);
}

/** Evaluates at start, start+step, … ≤ end; scalars become a series without labels. */
export function evaluateRange(
  expr: Expr,
  source: SeriesSource,
  startMs: number,
  endMs: number,
  stepMs: number,
  lookbackMs = DEFAULT_LOOKBACK_MS,
): RangeSeries[] {
  const evaluator = new Evaluator(expr, source, startMs, endMs, lookbackMs);
  const bySignature = new Map<string, RangeSeries>();
  for (let time = startMs; time <= endMs; time += stepMs) {
    const value = evaluator.evaluate(expr, time);
    const samples = value.type === "scalar" ? [{ labels: {}, value: value.value }] : value.type === "vector" ? value.samples : [];
    for (const sample of samples) {
      const key = labelsKey(sample.labels);
      let series = bySignature.get(key);
      if (!series) {
        series = { labels: sample.labels, times: [], values: [] };
        bySignature.set(key, series);
      }
      series.times.push(time);
      series.values.push(sample.value);
    }
  }
  return [...bySignature.values()].sort((a, b) => compareLabels(a.labels, b.labels));
}

class Evaluator {
  /** Series fetched once per selector for the whole query, then sliced per evaluation time. */
  private readonly fetched = new Map<VectorSelector, StoredSeries[]>();

  constructor(
    root: Expr,
    source: SeriesSource,
    startMs: number,
    endMs: number,
    private readonly lookbackMs: number,
  ) {
    const visit = (expr: Expr): void => {
      switch (expr.type) {
        case "vectorSelector":
          this.fetched.set(expr, source.select(expr.matchers, startMs - expr.offsetMs - lookbackMs, endMs - expr.offsetMs));
          return;
        case "matrixSelector":
          this.fetched.set(
            expr.selector,
            source.select(expr.selector.matchers, startMs - expr.selector.offsetMs - expr.rangeMs, endMs - expr.selector.offsetMs),
          );
          return;
        case "call":
          expr.args.forEach(visit);
          return;
        case "aggregate":
          visit(expr.expr);
          if (expr.param) visit(expr.param);
          return;
        case "binary":
          visit(expr.lhs);
          visit(expr.rhs);
          return;
        case "unary":
        case "paren":
          visit(expr.expr);
          return;
        default:
          return;
      }
    };
    visit(root);
  }

  evaluate(expr: Expr, time: number): EvalValue {
    switch (expr.type) {
      case "number":
        return { type: "scalar", value: expr.value };
      case "string":
        return { type: "string", value: expr.value };
      case "paren":
        return this.evaluate(expr.expr, time);
      case "unary": {
        const operand = this.evaluate(expr.expr, time);
        if (expr.op === "+") return operand;
        if (operand.type === "scalar") return { type: "scalar", value: -operand.value };
        return vectorOf(this.asVector(operand).map((s) => ({ labels: dropName(s.labels), value: -s.value })));
      }
      case "vectorSelector":
        return vectorOf(this.instantSamples(expr, time));
      case "matrixSelector":
        return { type: "matrix", series: this.rangeSamples(expr.selector, expr.rangeMs, time) };
      case "call":
        return this.evaluateCall(expr, time);
      case "aggregate":
        return this.evaluateAggregate(expr, time);
      case "binary":
        return this.evaluateBinary(expr, time);
    }
  }

  private instantSamples(selector: VectorSelector, time: number): VectorSample[] {
    const at = time - selector.offsetMs;
    const samples: VectorSample[] = [];
    for (const series of this.fetched.get(selector) ?? []) {
      const index = lastIndexAtOrBefore(series.times, at);
      if (index < 0) continue;
      const sampleTime = series.times[index]!;
      if (sampleTime <= at - this.lookbackMs) continue;
      // A staleness marker after the newest sample means the series has gone.
      if (series.staleTimes.some((stale) => stale > sampleTime && stale <= at)) continue;
      samples.push({ labels: series.labels, value: series.values[index]! });
    }
    return samples;
  }

  private rangeSamples(selector: VectorSelector, rangeMs: number, time: number): RangeSeries[] {
    const end = time - selector.offsetMs;
    const start = end - rangeMs;
    const result: RangeSeries[] = [];
    for (const series of this.fetched.get(selector) ?? []) {
      const first = lastIndexAtOrBefore(series.times, start) + 1;
      const last = lastIndexAtOrBefore(series.times, end);
      if (last < first) continue;
      result.push({ labels: series.labels, times: series.times.slice(first, last + 1), values: series.values.slice(first, last + 1) });
    }
    return result;
  }

  private asVector(value: EvalValue): VectorSample[] {
    if (value.type !== "vector") throw new PromqlExecutionError(`expected an instant vector, got ${value.type}`);
    return value.samples;
  }

  private asScalar(value: EvalValue): number {
    if (value.type !== "scalar") throw new PromqlExecutionError(`expected a scalar, got ${value.type}`);
    return value.value;
  }

  private evaluateCall(expr: Extract<Expr, { type: "call" }>, time: number): EvalValue {
    const args = expr.args;
    switch (expr.name) {
      case "time":
        return { type: "scalar", value: time / 1000 };
      case "vector":
        return vectorOf([{ labels: {}, value: this.asScalar(this.evaluate(args[0]!, time)) }]);
      case "scalar": {
        const samples = this.asVector(this.evaluate(args[0]!, time));
        return { type: "scalar", value: samples.length === 1 ? samples[0]!.value : Number.NaN };
      }
      case "absent": {
        const samples = this.asVector(this.evaluate(args[0]!, time));
        return vectorOf(samples.length > 0 ? [] : [{ labels: absentLabels(args[0]!), value: 1 }]);
      }
      case "absent_over_time": {
        const matrix = this.evaluate(args[0]!, time);
        const empty = matrix.type === "matrix" && matrix.series.length === 0;
        return vectorOf(empty ? [{ labels: absentLabels(args[0]!), value: 1 }] : []);
      }
      case "sort":
      case "sort_desc": {
        const samples = [...this.asVector(this.evaluate(args[0]!, time))];
        const direction = expr.name === "sort" ? 1 : -1;
        samples.sort((a, b) => (Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : direction * (a.value - b.value)));
        return vectorOf(samples);
      }
      case "round": {
        const toNearest = args[1] ? this.asScalar(this.evaluate(args[1], time)) : 1;
        const inverse = 1 / toNearest;
        return this.mapVector(args[0]!, time, (v) => Math.floor(v * inverse + 0.5) / inverse);
      }
      case "clamp": {
        const min = this.asScalar(this.evaluate(args[1]!, time));
        const max = this.asScalar(this.evaluate(args[2]!, time));
        if (max < min) return vectorOf([]);
        return this.mapVector(args[0]!, time, (v) => Math.max(min, Math.min(max, v)));
      }
      case "clamp_min": {
        const min = this.asScalar(this.evaluate(args[1]!, time));
        return this.mapVector(args[0]!, time, (v) => Math.max(min, v));
      }
      case "clamp_max": {
        const max = this.asScalar(this.evaluate(args[1]!, time));
        return this.mapVector(args[0]!, time, (v) => Math.min(max, v));
      }
    }
    const simple: Record<string, (v: number) => number> = {
      abs: Math.abs,
      ceil: Math.ceil,
      floor: Math.floor,
      exp: Math.exp,
      ln: Math.log,
      log2: Math.log2,
      log10: Math.log10,
      sqrt: Math.sqrt,
    };
    const unary = simple[expr.name];
    if (unary) return this.mapVector(args[0]!, time, unary);

    const matrix = this.evaluate(args[0]!, time);
    if (matrix.type !== "matrix") throw new PromqlExecutionError(`${expr.name}() needs a range vector`);
    const argument = args[0]!;
    const rangeMs = argument.type === "matrixSelector" ? argument.rangeMs : 0;
    const offsetMs = argument.type === "matrixSelector" ? argument.selector.offsetMs : 0;
    const rangeEnd = time - offsetMs;
    const rangeStart = rangeEnd - rangeMs;
    const out: VectorSample[] = [];
    for (const series of matrix.series) {
      const value = rangeFunction(expr.name, series, rangeStart, rangeEnd);
      if (value === undefined) continue;
      out.push({ labels: expr.name === "last_over_time" ? series.labels : dropName(series.labels), value });
    }
    return vectorOf(assertUniqueLabels(out));
  }

  private mapVector(arg: Expr, time: number, map: (value: number) => number): EvalValue {
    const samples = this.asVector(this.evaluate(arg, time));
    return vectorOf(assertUniqueLabels(samples.map((s) => ({ labels: dropName(s.labels), value: map(s.value) }))));
  }

  private evaluateAggregate(expr: Extract<Expr, { type: "aggregate" }>, time: number): EvalValue {
    const samples = this.asVector(this.evaluate(expr.expr, time));
    const param = expr.param ? this.evaluate(expr.param, time) : undefined;
    const groupLabels = (labels: Labels): Labels => {
      if (expr.without) {
        const kept: Labels = {};
        for (const [name, value] of Object.entries(labels)) {
          if (name !== "__name__" && !expr.grouping.includes(name)) kept[name] = value;
        }
        return kept;
      }
      const kept: Labels = {};
      for (const name of expr.grouping) if (labels[name] !== undefined && labels[name] !== "") kept[name] = labels[name]!;
      return kept;
    };
    const groups = new Map<string, { labels: Labels; members: VectorSample[] }>();
    for (const sample of samples) {
      let labels = groupLabels(sample.labels);
      if (expr.op === "count_values") {
        const labelName = param?.type === "string" ? param.value : "value";
        labels = { ...labels, [labelName]: formatSampleValue(sample.value) };
      }
      const key = labelsKey(labels);
      let group = groups.get(key);
      if (!group) {
        group = { labels, members: [] };
        groups.set(key, group);
      }
      group.members.push(sample);
    }
    const out: VectorSample[] = [];
    for (const { labels, members } of groups.values()) {
      const values = members.map((m) => m.value);
      switch (expr.op) {
        case "sum":
          out.push({ labels, value: values.reduce((a, b) => a + b, 0) });
          break;
        case "avg":
          out.push({ labels, value: values.reduce((a, b) => a + b, 0) / values.length });
          break;
        case "count":
        case "count_values":
          out.push({ labels, value: values.length });
          break;
        case "group":
          out.push({ labels, value: 1 });
          break;
        case "min":
        case "max": {
          // Like Prometheus, NaN only wins when every value is NaN.
          const numbers = values.filter((v) => !Number.isNaN(v));
          const pick = expr.op === "min" ? Math.min : Math.max;
          out.push({ labels, value: numbers.length === 0 ? Number.NaN : pick(...numbers) });
          break;
        }
        case "stddev":
        case "stdvar": {
          const mean = values.reduce((a, b) => a + b, 0) / values.length;
          const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
          out.push({ labels, value: expr.op === "stddev" ? Math.sqrt(variance) : variance });
          break;
        }
        case "topk":
        case "bottomk": {
          const k = Math.floor(this.asScalar(param!));
          if (k < 1) break;
          const direction = expr.op === "topk" ? -1 : 1;
          const sorted = [...members].sort((a, b) =>
            Number.isNaN(a.value) ? 1 : Number.isNaN(b.value) ? -1 : direction * (a.value - b.value),
          );
          out.push(...sorted.slice(0, k));
          break;
        }
        case "quantile":
          out.push({ labels, value: quantile(this.asScalar(param!), values) });
          break;
        default:
          throw new PromqlExecutionError(`aggregation ${expr.op} is not supported by the SMO sandbox's Prometheus emulator`);
      }
    }
    return vectorOf(out);
  }

  private evaluateBinary(expr: Extract<Expr, { type: "binary" }>, time: number): EvalValue {
    const lhs = this.evaluate(expr.lhs, time);
    const rhs = this.evaluate(expr.rhs, time);
    const op = expr.op;
    if (lhs.type === "scalar" && rhs.type === "scalar") {
      const [value, keep] = applyOperator(op, lhs.value, rhs.value);
      return { type: "scalar", value: isComparisonOp(op) ? (keep ? 1 : 0) : value };
    }
    if (lhs.type === "scalar" || rhs.type === "scalar") {
      const scalarOnLeft = lhs.type === "scalar";
      const scalar = scalarOnLeft ? this.asScalar(lhs) : this.asScalar(rhs);
      const samples = this.asVector(scalarOnLeft ? rhs : lhs);
      const out: VectorSample[] = [];
      for (const sample of samples) {
        const [value, keep] = scalarOnLeft ? applyOperator(op, scalar, sample.value) : applyOperator(op, sample.value, scalar);
        if (isComparisonOp(op)) {
          if (expr.returnBool) out.push({ labels: dropName(sample.labels), value: keep ? 1 : 0 });
          else if (keep) out.push({ labels: sample.labels, value: sample.value });
        } else {
          out.push({ labels: dropName(sample.labels), value });
        }
      }
      return vectorOf(assertUniqueLabels(out));
    }
    const matching = expr.matching!;
    const left = this.asVector(lhs);
    const right = this.asVector(rhs);
    if (isSetOp(op)) return vectorOf(applySetOperator(op, left, right, matching));
    return vectorOf(matchVectors(op, left, right, matching, expr.returnBool));
  }
}

function vectorOf(samples: VectorSample[]): EvalValue {
  return { type: "vector", samples };
}

function rangeFunction(name: string, series: RangeSeries, rangeStart: number, rangeEnd: number): number | undefined {
  const { times, values } = series;
  const count = values.length;
  switch (name) {
    case "rate":
      return extrapolatedRate(series, rangeStart, rangeEnd, true, true);
    case "increase":
      return extrapolatedRate(series, rangeStart, rangeEnd, true, false);
    case "delta":
      return extrapolatedRate(series, rangeStart, rangeEnd, false, false);
    case "irate":
    case "idelta": {
      if (count < 2) return undefined;
      const last = values[count - 1]!;
      const previous = values[count - 2]!;
      const interval = (times[count - 1]! - times[count - 2]!) / 1000;
      if (name === "idelta") return last - previous;
      const increase = last < previous ? last : last - previous;
      return interval === 0 ? undefined : increase / interval;
    }
    case "avg_over_time":
      return values.reduce((a, b) => a + b, 0) / count;
    case "sum_over_time":
      return values.reduce((a, b) => a + b, 0);
    case "min_over_time":
      return Math.min(...values);
    case "max_over_time":
      return Math.max(...values);
    case "count_over_time":
      return count;
    case "last_over_time":
      return values[count - 1];
    case "present_over_time":
      return 1;
    default:
      throw new PromqlExecutionError(`function ${name} is not supported by the SMO sandbox's Prometheus emulator`);
  }
}

/** Prometheus's extrapolatedRate (promql/functions.go): rate, increase and delta. */
function extrapolatedRate(series: RangeSeries, rangeStart: number, rangeEnd: number, isCounter: boolean, isRate: boolean): number | undefined {
  const { times, values } = series;
  const count = values.length;
  if (count < 2) return undefined;
  let resultValue = values[count - 1]! - values[0]!;
  if (isCounter) {
    let lastValue = 0;
    for (const value of values) {
      if (value < lastValue) resultValue += lastValue;
      lastValue = value;
    }
  }
  let durationToStart = (times[0]! - rangeStart) / 1000;
  const durationToEnd = (rangeEnd - times[count - 1]!) / 1000;
  const sampledInterval = (times[count - 1]! - times[0]!) / 1000;
  const averageDurationBetweenSamples = sampledInterval / (count - 1);
  if (isCounter && resultValue > 0 && values[0]! >= 0) {
    const durationToZero = sampledInterval * (values[0]! / resultValue);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageDurationBetweenSamples * 1.1;
  let extrapolateToInterval = sampledInterval;
  extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2;
  extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2;
  resultValue *= extrapolateToInterval / sampledInterval;
  if (isRate) resultValue /= (rangeEnd - rangeStart) / 1000;
  return resultValue;
}

function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

/** Returns [value, keep]: arithmetic keeps always; comparisons keep when true and return the left value. */
function applyOperator(op: string, lhs: number, rhs: number): [number, boolean] {
  switch (op) {
    case "+":
      return [lhs + rhs, true];
    case "-":
      return [lhs - rhs, true];
    case "*":
      return [lhs * rhs, true];
    case "/":
      return [lhs / rhs, true];
    case "%":
      return [lhs % rhs, true];
    case "^":
      return [Math.pow(lhs, rhs), true];
    case "atan2":
      return [Math.atan2(lhs, rhs), true];
    case "==":
      return [lhs, lhs === rhs];
    case "!=":
      return [lhs, lhs !== rhs];
    case ">":
      return [lhs, lhs > rhs];
    case "<":
      return [lhs, lhs < rhs];
    case ">=":
      return [lhs, lhs >= rhs];
    case "<=":
      return [lhs, lhs <= rhs];
    default:
      throw new PromqlExecutionError(`operator ${op} not allowed between these operands`);
  }
}

function signatureFunction(matching: VectorMatching): (labels: Labels) => string {
  return (labels) => {
    const picked: Labels = {};
    if (matching.on) {
      for (const name of matching.labels) if (labels[name] !== undefined) picked[name] = labels[name]!;
    } else {
      for (const [name, value] of Object.entries(labels)) {
        if (name !== "__name__" && !matching.labels.includes(name)) picked[name] = value;
      }
    }
    return labelsKey(picked);
  };
}

function applySetOperator(op: string, left: VectorSample[], right: VectorSample[], matching: VectorMatching): VectorSample[] {
  const signature = signatureFunction(matching);
  const rightSignatures = new Set(right.map((s) => signature(s.labels)));
  switch (op) {
    case "and":
      return left.filter((s) => rightSignatures.has(signature(s.labels)));
    case "unless":
      return left.filter((s) => !rightSignatures.has(signature(s.labels)));
    default: {
      const leftSignatures = new Set(left.map((s) => signature(s.labels)));
      return [...left, ...right.filter((s) => !leftSignatures.has(signature(s.labels)))];
    }
  }
}

function matchVectors(op: string, left: VectorSample[], right: VectorSample[], matching: VectorMatching, returnBool: boolean): VectorSample[] {
  const signature = signatureFunction(matching);
  // The "one" side is indexed; group_right swaps the roles as Prometheus does.
  const swapped = matching.card === "one-to-many";
  const many = swapped ? right : left;
  const one = swapped ? left : right;
  const oneBySignature = new Map<string, VectorSample>();
  for (const sample of one) {
    const key = signature(sample.labels);
    const existing = oneBySignature.get(key);
    if (existing) {
      throw new PromqlExecutionError(
        `found duplicate series for the match group ${key} on the ${swapped ? "left" : "right"} hand-side of the operation: [${formatLabels(existing.labels)}, ${formatLabels(sample.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    oneBySignature.set(key, sample);
  }
  const matchedSignatures = new Set<string>();
  const resultKeys = new Set<string>();
  const out: VectorSample[] = [];
  for (const sample of many) {
    const key = signature(sample.labels);
    const match = oneBySignature.get(key);
    if (!match) continue;
    const [lhsValue, rhsValue] = swapped ? [match.value, sample.value] : [sample.value, match.value];
    const [value, keep] = applyOperator(op, lhsValue, rhsValue);
    let resultValue = value;
    if (isComparisonOp(op)) {
      if (returnBool) resultValue = keep ? 1 : 0;
      else if (!keep) continue;
    }
    const labels = resultLabels(sample.labels, match.labels, op, matching, returnBool);
    if (matching.card === "one-to-one") {
      if (matchedSignatures.has(key)) {
        throw new PromqlExecutionError("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
      }
      matchedSignatures.add(key);
    } else {
      const resultKey = labelsKey(labels);
      if (resultKeys.has(resultKey)) throw new PromqlExecutionError("multiple matches for labels: grouping labels must ensure unique matches");
      resultKeys.add(resultKey);
    }
    out.push({ labels, value: resultValue });
  }
  return out;
}

function resultLabels(many: Labels, one: Labels, op: string, matching: VectorMatching, returnBool: boolean): Labels {
  let labels: Labels = { ...many };
  if (!isComparisonOp(op) || returnBool) labels = dropName(labels);
  if (matching.card === "one-to-one") {
    if (matching.on) {
      const kept: Labels = {};
      for (const name of matching.labels) if (labels[name] !== undefined) kept[name] = labels[name]!;
      labels = kept;
    } else {
      for (const name of matching.labels) delete labels[name];
    }
  }
  for (const name of matching.include) {
    if (one[name]) labels[name] = one[name]!;
    else delete labels[name];
  }
  return labels;
}

/** Labels that absent() reports: those of equality matchers, as Prometheus's createLabelsForAbsentFunction. */
function absentLabels(arg: Expr): Labels {
  const selector = arg.type === "vectorSelector" ? arg : arg.type === "matrixSelector" ? arg.selector : undefined;
  const labels: Labels = {};
  const seen = new Set<string>();
  for (const matcher of selector?.matchers ?? []) {
    if (matcher.name === "__name__") continue;
    if (matcher.op === "=" && !seen.has(matcher.name)) labels[matcher.name] = matcher.value;
    else delete labels[matcher.name];
    seen.add(matcher.name);
  }
  return labels;
}

function assertUniqueLabels(samples: VectorSample[]): VectorSample[] {
  const keys = new Set<string>();
  for (const sample of samples) {
    const key = labelsKey(sample.labels);
    if (keys.has(key)) throw new PromqlExecutionError("vector cannot contain metrics with the same labelset");
    keys.add(key);
  }
  return samples;
}

export function dropName(labels: Labels): Labels {
  if (!("__name__" in labels)) return labels;
  const { __name__: _dropped, ...rest } = labels;
  return rest;
}

export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}\u0000${labels[name]}`)
    .join("\u0001");
}

function formatLabels(labels: Labels): string {
  const entries = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${entries.join(", ")}}`;
}

export function compareLabels(a: Labels, b: Labels): number {
  const aNames = Object.keys(a).sort();
  const bNames = Object.keys(b).sort();
  for (let index = 0; index < Math.min(aNames.length, bNames.length); index++) {
    const nameA = aNames[index]!;
    const nameB = bNames[index]!;
    if (nameA !== nameB) return nameA < nameB ? -1 : 1;
    const valueA = a[nameA]!;
    const valueB = b[nameB]!;
    if (valueA !== valueB) return valueA < valueB ? -1 : 1;
  }
  return aNames.length - bNames.length;
}

function lastIndexAtOrBefore(times: number[], time: number): number {
  let low = 0;
  let high = times.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (times[middle]! <= time) {
      found = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return found;
}

/**
 * A sample value as Prometheus writes it: Go's shortest float text, `e` notation below 1e-6
 * or from 1e21 (with Go's two-digit exponent), `NaN`, `+Inf`, `-Inf`.
 */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  if (Object.is(value, -0)) return "-0";
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-6 || magnitude >= 1e21)) {
    return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
  }
  return String(value);
}

export type { Matcher };
export { matchValue };
