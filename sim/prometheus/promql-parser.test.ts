import { describe, expect, it } from "vitest";
import { PromqlParseError } from "./promql-lexer";
import { parsePromql, typeOf, type Expr } from "./promql-parser";
import { RECORDED_PARSE_ERRORS } from "./testdata/recorded-parse-errors";


function parseError(query: string): string {
  try {
    parsePromql(query);
  } catch (error) {
    if (error instanceof PromqlParseError) return error.message;
    throw error;
  }
  throw new Error(`${JSON.stringify(query)} parsed without error`);
}

describe("parsePromql errors", () => {
  it.each(RECORDED_PARSE_ERRORS)("%j → Prometheus's message", (query, message) => {
    expect(parseError(query)).toBe(message);
  });

  it("reports positions as line:column in bytes, like Prometheus", () => {
    expect(parseError("sum(\n  rate(x[5m])\n")).toBe("3:1: parse error: unclosed left parenthesis");
    expect(parseError('x{é="a"}')).toBe("1:3: parse error: unexpected character inside braces: 'é'");
    expect(parseError('{a="é"} é')).toMatch(/^1:10: parse error: unexpected character: 'é'/);
  });

  it("names real Prometheus features the emulator does not evaluate instead of calling them unknown", () => {
    expect(parseError('label_replace(up, "a", "$1", "b", "(.*)")')).toMatch(/"label_replace" is not supported by the SMO sandbox/);
    expect(parseError("rate(up[5m:1m])")).toMatch(/subqueries are not supported/);
  });
});

describe("parsePromql", () => {
  const selectorOf = (expr: Expr) => {
    if (expr.type === "vectorSelector") return expr;
    throw new Error(`not a selector: ${expr.type}`);
  };

  it("parses the scaler's request-rate query", () => {
    const expr = parsePromql('sum(rate(flask_http_request_total{service="web"}[1m])) by (service)');
    expect(expr.type).toBe("aggregate");
    if (expr.type !== "aggregate") return;
    expect(expr.op).toBe("sum");
    expect(expr.grouping).toEqual(["service"]);
    expect(expr.expr.type).toBe("call");
    if (expr.expr.type !== "call") return;
    expect(expr.expr.name).toBe("rate");
    const range = expr.expr.args[0]!;
    expect(range.type === "matrixSelector" && range.rangeMs).toBe(60_000);
  });

  it("unquotes all string forms with Go escapes", () => {
    const matchers = selectorOf(parsePromql(`m{a="x\\"y\\\\z\\n",b='it\\'s',c=\`raw\\n\`,d="\\u00e9\\x41\\101"}`)).matchers;
    expect(Object.fromEntries(matchers.map((m) => [m.name, m.value]))).toEqual({
      __name__: "m",
      a: 'x"y\\z\n',
      b: "it's",
      c: "raw\\n",
      d: "éAA",
    });
  });

  it("gives operators Prometheus's precedence and associativity", () => {
    const evaluate = (expr: Expr): number => {
      switch (expr.type) {
        case "number":
          return expr.value;
        case "paren":
          return evaluate(expr.expr);
        case "unary":
          return -evaluate(expr.expr);
        case "binary": {
          const [l, r] = [evaluate(expr.lhs), evaluate(expr.rhs)];
          return { "+": l + r, "-": l - r, "*": l * r, "/": l / r, "^": l ** r, "%": l % r }[expr.op as "+"]!;
        }
        default:
          throw new Error(expr.type);
      }
    };
    expect(evaluate(parsePromql("1 + 2 * 3"))).toBe(7);
    expect(evaluate(parsePromql("2 ^ 3 ^ 2"))).toBe(512);
    expect(evaluate(parsePromql("-2 ^ 2"))).toBe(-4);
    expect(evaluate(parsePromql("10 - 4 - 3"))).toBe(3);
    expect(evaluate(parsePromql("7 % 4 * 2"))).toBe(6);
  });

  it("types expressions", () => {
    expect(typeOf(parsePromql("1 + 1"))).toBe("scalar");
    expect(typeOf(parsePromql('"s"'))).toBe("string");
    expect(typeOf(parsePromql("up[5m]"))).toBe("matrix");
    expect(typeOf(parsePromql("up == bool 1"))).toBe("vector");
    expect(typeOf(parsePromql("scalar(up)"))).toBe("scalar");
  });

  it("accepts numbers in Prometheus's forms", () => {
    const numberOf = (query: string) => {
      const expr = parsePromql(query);
      return expr.type === "number" ? expr.value : undefined;
    };
    expect(numberOf("0x1F")).toBe(31);
    expect(numberOf("1e3")).toBe(1000);
    expect(numberOf(".5")).toBe(0.5);
    expect(numberOf("1_000")).toBe(1000);
    expect(numberOf("Inf")).toBe(Number.POSITIVE_INFINITY);
    expect(numberOf("-inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(numberOf("NaN"))).toBe(true);
  });
});
