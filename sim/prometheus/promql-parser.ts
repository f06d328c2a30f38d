/**
 * PromQL parser for the sandbox's Prometheus emulator: a recursive-descent parser over the
 * subset SMO and its dashboards use (selectors, range selectors with offset, functions,
 * aggregations with by/without, arithmetic/comparison/set operators with on/ignoring and
 * group_left/right, numbers and strings), type-checked with Prometheus's messages.
 */

import { parsePrometheusDuration } from "../../lib/prometheus/promql";
import { AGGREGATORS, PromqlParseError, tokenize, unquoteString, type Token } from "./promql-lexer";

export type ValueType = "scalar" | "vector" | "matrix" | "string";
export type MatchOp = "=" | "!=" | "=~" | "!~";
export type Matcher = { name: string; op: MatchOp; value: string; regex?: RegExp };

export type VectorSelector = { type: "vectorSelector"; name?: string; matchers: Matcher[]; offsetMs: number; pos: number };
export type Expr =
  | { type: "number"; value: number; pos: number }
  | { type: "string"; value: string; pos: number }
  | VectorSelector
  | { type: "matrixSelector"; selector: VectorSelector; rangeMs: number; pos: number }
  | { type: "call"; name: string; args: Expr[]; pos: number }
  | { type: "aggregate"; op: string; expr: Expr; param?: Expr; grouping: string[]; without: boolean; pos: number }
  | { type: "binary"; op: string; lhs: Expr; rhs: Expr; returnBool: boolean; matching?: VectorMatching; pos: number }
  | { type: "unary"; op: "-" | "+"; expr: Expr; pos: number }
  | { type: "paren"; expr: Expr; pos: number };

export type VectorMatching = {
  card: "one-to-one" | "many-to-one" | "one-to-many" | "many-to-many";
  on: boolean;
  labels: string[];
  include: string[];
};

type FunctionSignature = { args: ValueType[]; optional?: number; returns: ValueType };

/** Functions the emulator evaluates. */
export const FUNCTIONS: Record<string, FunctionSignature> = {
  rate: { args: ["matrix"], returns: "vector" },
  irate: { args: ["matrix"], returns: "vector" },
  increase: { args: ["matrix"], returns: "vector" },
  delta: { args: ["matrix"], returns: "vector" },
  idelta: { args: ["matrix"], returns: "vector" },
  avg_over_time: { args: ["matrix"], returns: "vector" },
  min_over_time: { args: ["matrix"], returns: "vector" },
  max_over_time: { args: ["matrix"], returns: "vector" },
  sum_over_time: { args: ["matrix"], returns: "vector" },
  count_over_time: { args: ["matrix"], returns: "vector" },
  last_over_time: { args: ["matrix"], returns: "vector" },
  present_over_time: { args: ["matrix"], returns: "vector" },
  absent_over_time: { args: ["matrix"], returns: "vector" },
  absent: { args: ["vector"], returns: "vector" },
  abs: { args: ["vector"], returns: "vector" },
  ceil: { args: ["vector"], returns: "vector" },
  floor: { args: ["vector"], returns: "vector" },
  exp: { args: ["vector"], returns: "vector" },
  ln: { args: ["vector"], returns: "vector" },
  log2: { args: ["vector"], returns: "vector" },
  log10: { args: ["vector"], returns: "vector" },
  sqrt: { args: ["vector"], returns: "vector" },
  round: { args: ["vector", "scalar"], optional: 1, returns: "vector" },
  clamp: { args: ["vector", "scalar", "scalar"], returns: "vector" },
  clamp_min: { args: ["vector", "scalar"], returns: "vector" },
  clamp_max: { args: ["vector", "scalar"], returns: "vector" },
  sort: { args: ["vector"], returns: "vector" },
  sort_desc: { args: ["vector"], returns: "vector" },
  scalar: { args: ["vector"], returns: "scalar" },
  vector: { args: ["scalar"], returns: "vector" },
  time: { args: [], returns: "scalar" },
};

/** Real Prometheus functions the emulator does not evaluate: named honestly instead of "unknown". */
const UNSUPPORTED_FUNCTIONS = new Set([
  "label_replace",
  "label_join",
  "histogram_quantile",
  "predict_linear",
  "deriv",
  "holt_winters",
  "changes",
  "resets",
  "timestamp",
  "quantile_over_time",
  "stddev_over_time",
  "stdvar_over_time",
  "day_of_week",
  "day_of_month",
  "days_in_month",
  "hour",
  "minute",
  "month",
  "year",
  "sgn",
]);

const TYPE_NAMES: Record<ValueType, string> = { scalar: "scalar", vector: "instant vector", matrix: "range vector", string: "string" };

const BINARY_PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  unless: 2,
  "==": 3,
  "!=": 3,
  "<=": 3,
  "<": 3,
  ">=": 3,
  ">": 3,
  "+": 4,
  "-": 4,
  "*": 5,
  "/": 5,
  "%": 5,
  atan2: 5,
  "^": 6,
};
const COMPARISON_OPS = new Set(["==", "!=", "<=", "<", ">=", ">"]);
const SET_OPS = new Set(["and", "or", "unless"]);

export function isComparisonOp(op: string): boolean {
  return COMPARISON_OPS.has(op);
}
export function isSetOp(op: string): boolean {
  return SET_OPS.has(op);
}

export function typeOf(expr: Expr): ValueType {
  switch (expr.type) {
    case "number":
      return "scalar";
    case "string":
      return "string";
    case "vectorSelector":
    case "aggregate":
      return "vector";
    case "matrixSelector":
      return "matrix";
    case "call":
      return FUNCTIONS[expr.name]!.returns;
    case "binary":
      return typeOf(expr.lhs) === "scalar" && typeOf(expr.rhs) === "scalar" ? "scalar" : "vector";
    case "unary":
    case "paren":
      return typeOf(expr.expr);
  }
}

/** Parses a PromQL expression; throws PromqlParseError with Prometheus's message and position. */
export function parsePromql(query: string): Expr {
  const tokens = tokenize(query);
  let index = 0;
  const peek = (offset = 0): Token => tokens[Math.min(index + offset, tokens.length - 1)]!;
  const next = (): Token => tokens[Math.min(index++, tokens.length - 1)]!;
  const fail = (reason: string, pos: number): never => {
    throw new PromqlParseError(reason, pos, query);
  };
  const describe = (token: Token): string => {
    switch (token.kind) {
      case "eof":
        return "end of input";
      case "identifier":
        return `identifier ${JSON.stringify(token.text)}`;
      case "metricIdentifier":
        return `metric identifier ${JSON.stringify(token.text)}`;
      case "number":
        return `number ${goQuote(token.text)}`;
      case "duration":
        return `duration ${goQuote(token.text)}`;
      case "string":
        return `string ${goQuote(token.text)}`;
      case "keyword":
        return `<${token.text}>`;
      case "aggregator":
        return `<aggr:${token.text}>`;
      case "operator":
        return `<op:${token.text}>`;
      default:
        return JSON.stringify(token.text);
    }
  };
  const unexpected = (token: Token, context?: string, expected?: string): never =>
    fail(`unexpected ${describe(token)}${context ? ` in ${context}` : ""}${expected ? `, expected ${expected}` : ""}`, token.pos);
  const expectPunct = (text: string, context?: string, expected?: string): Token => {
    const token = peek();
    if (token.kind === "punct" && token.text === text) return next();
    return unexpected(token, context, expected ?? JSON.stringify(text));
  };
  const isPunct = (token: Token, text: string) => token.kind === "punct" && token.text === text;

  if (peek().kind === "eof") fail("no expression found in input", 0);
  const expr = parseBinary(0);
  if (peek().kind !== "eof") unexpected(peek());
  return expr;

  function parseBinary(minPrecedence: number): Expr {
    let lhs = parseUnary();
    for (;;) {
      const token = peek();
      const precedence = token.kind === "operator" ? BINARY_PRECEDENCE[token.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return lhs;
      next();
      const op = token.text;
      let returnBool = false;
      if (peek().kind === "keyword" && peek().text === "bool") {
        if (!COMPARISON_OPS.has(op)) fail("bool modifier can only be used on comparison operators", token.pos);
        next();
        returnBool = true;
      }
      let matching: VectorMatching | undefined;
      if (peek().kind === "keyword" && (peek().text === "on" || peek().text === "ignoring")) {
        const on = next().text === "on";
        matching = { card: SET_OPS.has(op) ? "many-to-many" : "one-to-one", on, labels: parseLabelList("grouping opts"), include: [] };
        if (peek().kind === "keyword" && (peek().text === "group_left" || peek().text === "group_right")) {
          const group = next();
          if (SET_OPS.has(op)) fail(`no grouping allowed for "${op}" operation`, group.pos);
          matching.card = group.text === "group_left" ? "many-to-one" : "one-to-many";
          matching.include = isPunct(peek(), "(") ? parseLabelList("grouping opts") : [];
        }
      } else if (peek().kind === "keyword" && (peek().text === "group_left" || peek().text === "group_right")) {
        unexpected(peek());
      }
      const rhs = parseBinary(op === "^" ? precedence : precedence + 1);
      lhs = checkBinary({ type: "binary", op, lhs, rhs, returnBool, matching, pos: lhs.pos });
    }
  }

  function checkBinary(expr: Extract<Expr, { type: "binary" }>): Expr {
    const lhsType = typeOf(expr.lhs);
    const rhsType = typeOf(expr.rhs);
    const allowed = (type: ValueType) => type === "scalar" || type === "vector";
    if (!allowed(lhsType) || !allowed(rhsType)) fail("binary expression must contain only scalar and instant vector types", expr.pos);
    const bothScalar = lhsType === "scalar" && rhsType === "scalar";
    if (SET_OPS.has(expr.op) && (lhsType === "scalar" || rhsType === "scalar")) {
      fail(`set operator "${expr.op}" not allowed in binary scalar expression`, expr.pos);
    }
    if (bothScalar && COMPARISON_OPS.has(expr.op) && !expr.returnBool) fail("comparisons between scalars must use BOOL modifier", expr.pos);
    if (expr.matching && (lhsType !== "vector" || rhsType !== "vector")) fail("vector matching only allowed between instant vectors", expr.pos);
    if (lhsType === "vector" && rhsType === "vector" && !expr.matching) {
      expr.matching = { card: SET_OPS.has(expr.op) ? "many-to-many" : "one-to-one", on: false, labels: [], include: [] };
    }
    return expr;
  }

  function parseUnary(): Expr {
    const token = peek();
    if (token.kind === "operator" && (token.text === "-" || token.text === "+")) {
      next();
      const operand = parseBinary(BINARY_PRECEDENCE["^"]!);
      const operandType = typeOf(operand);
      if (operandType !== "scalar" && operandType !== "vector") {
        fail(`unary expression only allowed on expressions of type scalar or instant vector, got "${TYPE_NAMES[operandType]}"`, token.pos);
      }
      if (operand.type === "number") return { type: "number", value: token.text === "-" ? -operand.value : operand.value, pos: token.pos };
      return { type: "unary", op: token.text as "-" | "+", expr: operand, pos: token.pos };
    }
    return parsePostfix(parsePrimary());
  }

  function parsePostfix(initial: Expr): Expr {
    let expr = initial;
    for (;;) {
      const token = peek();
      if (isPunct(token, "[")) {
        next();
        const duration = peek();
        if (duration.kind !== "duration") unexpected(duration, "range", "duration");
        next();
        if (isPunct(peek(), ":")) fail("subqueries are not supported by the SMO sandbox's Prometheus emulator", token.pos);
        const close = expectPunct("]", "range", '"]"');
        if (expr.type !== "vectorSelector") fail("ranges only allowed for vector selectors", token.pos);
        const selectorExpr = expr as VectorSelector;
        if (selectorExpr.offsetMs !== 0) fail("no offset modifiers allowed before range", token.pos);
        const rangeMs = parseDurationToken(duration);
        if (rangeMs <= 0) fail("duration must be greater than 0", duration.pos);
        void close;
        expr = { type: "matrixSelector", selector: selectorExpr, rangeMs, pos: selectorExpr.pos };
        continue;
      }
      if (token.kind === "keyword" && token.text === "offset") {
        next();
        let sign = 1;
        if (peek().kind === "operator" && peek().text === "-") {
          next();
          sign = -1;
        }
        const duration = peek();
        if (duration.kind !== "duration") unexpected(duration, "offset", "duration");
        next();
        const offsetMs = sign * parseDurationToken(duration);
        if (expr.type === "vectorSelector") {
          if (expr.offsetMs !== 0) fail("offset may not be set multiple times", token.pos);
          expr.offsetMs = offsetMs;
        } else if (expr.type === "matrixSelector") {
          if (expr.selector.offsetMs !== 0) fail("offset may not be set multiple times", token.pos);
          expr.selector.offsetMs = offsetMs;
        } else {
          fail("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", token.pos);
        }
        continue;
      }
      if (isPunct(token, "@")) fail("the @ modifier is not supported by the SMO sandbox's Prometheus emulator", token.pos);
      return expr;
    }
  }

  function parsePrimary(): Expr {
    const token = peek();
    switch (token.kind) {
      case "number":
        next();
        return { type: "number", value: parseNumber(token.text), pos: token.pos };
      case "string":
        next();
        return { type: "string", value: unquoteString(token.text), pos: token.pos };
      case "aggregator":
        return parseAggregate();
      case "identifier":
      case "metricIdentifier":
        if (token.kind === "identifier" && isPunct(peek(1), "(")) return parseCall();
        next();
        return parseSelector(token.text, token.pos);
      case "punct":
        if (token.text === "(") {
          next();
          const inner = parseBinary(0);
          expectPunct(")", "paren expression", '")"');
          return { type: "paren", expr: inner, pos: token.pos };
        }
        if (token.text === "{") return parseSelector(undefined, token.pos);
        return unexpected(token);
      default:
        return unexpected(token);
    }
  }

  function parseSelector(name: string | undefined, pos: number): VectorSelector {
    const matchers: Matcher[] = [];
    if (isPunct(peek(), "{")) {
      next();
      for (;;) {
        const label = peek();
        if (isPunct(label, "}")) {
          next();
          break;
        }
        if (label.kind !== "identifier") unexpected(label, "label matching", 'identifier or "}"');
        next();
        const op = peek();
        if (!(isPunct(op, "=") || (op.kind === "operator" && ["!=", "=~", "!~"].includes(op.text)))) {
          unexpected(op, "label matching", "label matching operator");
        }
        next();
        const value = peek();
        if (value.kind !== "string") unexpected(value, "label matching", "string");
        next();
        matchers.push(makeMatcher(label.text, op.text as MatchOp, unquoteString(value.text), label.pos));
        const separator = peek();
        if (isPunct(separator, ",")) {
          next();
          continue;
        }
        if (isPunct(separator, "}")) continue;
        unexpected(separator, "label matching", '"," or "}"');
      }
    }
    if (name !== undefined) {
      const nameMatcher = matchers.find((m) => m.name === "__name__");
      if (nameMatcher) fail(`metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(nameMatcher.value)}`, pos);
      matchers.unshift({ name: "__name__", op: "=", value: name });
    }
    if (!matchers.some((m) => !matchesEmpty(m))) fail("vector selector must contain at least one non-empty matcher", pos);
    return { type: "vectorSelector", name, matchers, offsetMs: 0, pos };
  }

  function makeMatcher(name: string, op: MatchOp, value: string, pos: number): Matcher {
    if (op === "=~" || op === "!~") {
      try {
        // RE2's leading (?i) has no JavaScript inline form; it becomes the i flag.
        const caseInsensitive = value.startsWith("(?i)");
        const pattern = caseInsensitive ? value.slice(4) : value;
        return { name, op, value, regex: new RegExp(`^(?:${pattern})$`, caseInsensitive ? "si" : "s") };
      } catch (error) {
        return fail(`error parsing regexp: ${(error as Error).message}`, pos);
      }
    }
    return { name, op, value };
  }

  function parseCall(): Expr {
    const nameToken = next();
    const name = nameToken.text;
    if (!(name in FUNCTIONS)) {
      if (UNSUPPORTED_FUNCTIONS.has(name)) fail(`function "${name}" is not supported by the SMO sandbox's Prometheus emulator`, nameToken.pos);
      fail(`unknown function with name ${JSON.stringify(name)}`, nameToken.pos);
    }
    const signature = FUNCTIONS[name]!;
    expectPunct("(");
    const args: Expr[] = [];
    if (!isPunct(peek(), ")")) {
      for (;;) {
        args.push(parseBinary(0));
        if (isPunct(peek(), ",")) {
          const comma = next();
          if (isPunct(peek(), ")")) fail("trailing commas not allowed in function call args", comma.pos);
          continue;
        }
        break;
      }
    }
    expectPunct(")", "function call", '")"');
    const required = signature.args.length - (signature.optional ?? 0);
    if (signature.optional) {
      if (args.length < required) fail(`expected at least ${required} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`, nameToken.pos);
      if (args.length > signature.args.length) {
        fail(`expected at most ${signature.args.length} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`, nameToken.pos);
      }
    } else if (args.length !== signature.args.length) {
      fail(`expected ${signature.args.length} argument(s) in call to ${JSON.stringify(name)}, got ${args.length}`, nameToken.pos);
    }
    args.forEach((arg, position) => {
      const expected = signature.args[position]!;
      const actual = typeOf(arg);
      if (actual !== expected) {
        fail(`expected type ${TYPE_NAMES[expected]} in call to function ${JSON.stringify(name)}, got ${TYPE_NAMES[actual]}`, arg.pos);
      }
    });
    return { type: "call", name, args, pos: nameToken.pos };
  }

  function parseAggregate(): Expr {
    const opToken = next();
    const op = opToken.text;
    let grouping: string[] = [];
    let without = false;
    let hasModifier = false;
    const parseModifier = () => {
      const token = peek();
      if (token.kind === "keyword" && (token.text === "by" || token.text === "without")) {
        next();
        without = token.text === "without";
        grouping = parseLabelList("grouping opts");
        hasModifier = true;
      }
    };
    parseModifier();
    if (!isPunct(peek(), "(")) unexpected(peek(), "aggregation", '"("');
    const open = next();
    const args: Expr[] = [];
    if (!isPunct(peek(), ")")) {
      for (;;) {
        args.push(parseBinary(0));
        if (isPunct(peek(), ",")) {
          next();
          continue;
        }
        break;
      }
    }
    expectPunct(")", "aggregation", '")"');
    void open;
    if (!hasModifier) parseModifier();
    const takesParam = op === "topk" || op === "bottomk" || op === "quantile" || op === "count_values";
    if (args.length === 0) fail("no arguments for aggregate expression provided", opToken.pos);
    const expectedArgs = takesParam ? 2 : 1;
    if (args.length !== expectedArgs) {
      fail(`wrong number of arguments for aggregate expression provided, expected ${expectedArgs}, got ${args.length}`, opToken.pos);
    }
    const expr = args[args.length - 1]!;
    const param = takesParam ? args[0] : undefined;
    if (typeOf(expr) !== "vector") fail(`expected type instant vector in aggregation expression, got ${TYPE_NAMES[typeOf(expr)]}`, expr.pos);
    if (param) {
      const expected: ValueType = op === "count_values" ? "string" : "scalar";
      if (typeOf(param) !== expected) fail(`expected type ${TYPE_NAMES[expected]} in aggregation parameter, got ${TYPE_NAMES[typeOf(param)]}`, param.pos);
    }
    return { type: "aggregate", op, expr, param, grouping, without, pos: opToken.pos };
  }

  function parseLabelList(context: string): string[] {
    if (!isPunct(peek(), "(")) unexpected(peek(), context, '"("');
    next();
    const labels: string[] = [];
    for (;;) {
      const token = peek();
      if (isPunct(token, ")")) {
        next();
        return labels;
      }
      if (!["identifier", "keyword", "aggregator"].includes(token.kind) && !(token.kind === "operator" && isOperatorWord(token.text))) {
        unexpected(token, context, 'label');
      }
      next();
      labels.push(token.text);
      const separator = peek();
      if (isPunct(separator, ",")) {
        next();
        continue;
      }
      if (!isPunct(separator, ")")) unexpected(separator, context, '"," or ")"');
    }
  }

  function parseDurationToken(token: Token): number {
    const milliseconds = parsePrometheusDuration(token.text);
    if (milliseconds === undefined) return fail(`not a valid duration string: ${JSON.stringify(token.text)}`, token.pos);
    return milliseconds;
  }
}

function isOperatorWord(text: string): boolean {
  return /^[a-z]/.test(text);
}

/** Go's %q of an item value, truncated as Prometheus does for long values (`%.10q...`). */
function goQuote(text: string): string {
  return text.length > 10 ? `${JSON.stringify(text.slice(0, 10))}...` : JSON.stringify(text);
}

function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === "inf") return Number.POSITIVE_INFINITY;
  if (lower === "nan") return Number.NaN;
  const plain = text.replace(/_/g, "");
  if (/^0[xX]/.test(plain)) return parseInt(plain.slice(2), 16);
  if (/^0[0-7]+$/.test(plain)) return parseInt(plain, 8);
  return Number(plain);
}

/** A matcher that an absent label (value "") satisfies. */
export function matchesEmpty(matcher: Matcher): boolean {
  return matchValue(matcher, "");
}

export function matchValue(matcher: Matcher, value: string): boolean {
  switch (matcher.op) {
    case "=":
      return value === matcher.value;
    case "!=":
      return value !== matcher.value;
    case "=~":
      return matcher.regex!.test(value);
    case "!~":
      return !matcher.regex!.test(value);
  }
}

export { AGGREGATORS, PromqlParseError };
