/**
 * PromQL lexer, following Prometheus 2.x `promql/parser/lex.go` closely enough that errors
 * carry the same messages at the same byte positions (`1:34: parse error: unclosed left parenthesis`).
 */

export type TokenKind =
  | "eof"
  | "identifier"
  | "metricIdentifier"
  | "number"
  | "duration"
  | "string"
  /** and, or, unless, atan2 and the symbolic operators. */
  | "operator"
  | "aggregator"
  /** offset, by, without, on, ignoring, group_left, group_right, bool. */
  | "keyword"
  /** ( ) { } [ ] , = : @ */
  | "punct"
  | "comment";

export type Token = { kind: TokenKind; text: string; pos: number };

/** A parse error at a position (byte offset into the query, as Prometheus reports it). */
export class PromqlParseError extends Error {
  constructor(
    readonly reason: string,
    readonly pos: number,
    readonly query: string,
  ) {
    super(`${formatPosition(query, pos)} parse error: ${reason}`);
    this.name = "PromqlParseError";
  }
}

/** `line:col:` as Prometheus prints it: 1-based line, 1-based byte column. */
function formatPosition(query: string, pos: number): string {
  const bytes = Buffer.from(query, "utf8");
  const bytePos = Buffer.byteLength(query.slice(0, pos), "utf8");
  if (bytePos < 0 || bytePos > bytes.length) return "invalid position:";
  let line = 1;
  let lastLineBreak = -1;
  for (let index = 0; index < bytePos; index++) {
    if (bytes[index] === 0x0a) {
      lastLineBreak = index;
      line++;
    }
  }
  return `${line}:${bytePos - lastLineBreak}:`;
}

const OPERATOR_WORDS = new Set(["and", "or", "unless", "atan2"]);
export const AGGREGATORS = new Set([
  "sum",
  "avg",
  "count",
  "min",
  "max",
  "group",
  "stddev",
  "stdvar",
  "topk",
  "bottomk",
  "count_values",
  "quantile",
]);
const KEYWORDS = new Set(["offset", "by", "without", "on", "ignoring", "group_left", "group_right", "bool"]);

const isSpace = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r";
const isDigit = (c: string) => c >= "0" && c <= "9";
const isAlpha = (c: string) => c === "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z");
const isAlphaNumeric = (c: string) => isAlpha(c) || isDigit(c);

/** Go's %q of one rune, enough for error messages. */
export function quoteRune(char: string): string {
  const escapes: Record<string, string> = { "'": "\\'", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  return `'${escapes[char] ?? char}'`;
}

export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let parenDepth = 0;
  let braceOpen = false;
  let bracketOpen = false;

  const fail = (reason: string, at: number): never => {
    throw new PromqlParseError(reason, at, query);
  };
  const push = (kind: TokenKind, start: number, end: number) => tokens.push({ kind, text: query.slice(start, end), pos: start });

  /** Scans a quoted string starting at the opening quote; returns the position after the closing quote. */
  const scanString = (start: number): number => {
    const quote = query[start]!;
    let index = start + 1;
    if (quote === "`") {
      for (;;) {
        if (index >= query.length) fail("unterminated raw string", start);
        const char = query[index]!;
        if (char === "\ufffd") fail("invalid UTF-8 rune", start);
        index++;
        if (char === "`") return index;
      }
    }
    for (;;) {
      if (index >= query.length) fail("unterminated quoted string", start);
      const char = query[index]!;
      if (char === "\n") fail("unterminated quoted string", start);
      if (char === "\ufffd") fail("invalid UTF-8 rune", start);
      index++;
      if (char === quote) return index;
      if (char === "\\") index = scanEscape(index, quote, start);
    }
  };

  const scanEscape = (index: number, quote: string, stringStart: number): number => {
    if (index >= query.length) fail("escape sequence not terminated", stringStart);
    const char = query[index]!;
    if ("abfnrtv\\".includes(char) || char === quote) return index + 1;
    let digits: number;
    let base: number;
    let max: number;
    let cursor = index;
    if (char >= "0" && char <= "7") {
      digits = 3;
      base = 8;
      max = 255;
    } else if (char === "x" || char === "u" || char === "U") {
      digits = char === "x" ? 2 : char === "u" ? 4 : 8;
      base = 16;
      max = char === "x" ? 255 : 0x10ffff;
      cursor++;
    } else {
      const codePoint = char.codePointAt(0)!;
      return fail(`unknown escape sequence U+${codePoint.toString(16).toUpperCase().padStart(4, "0")} ${quoteRune(char)}`, stringStart);
    }
    let value = 0;
    for (let count = 0; count < digits; count++) {
      if (cursor >= query.length) fail("escape sequence not terminated", stringStart);
      const digit = parseInt(query[cursor]!, base);
      if (Number.isNaN(digit)) {
        const bad = query[cursor]!;
        fail(`illegal character U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} ${quoteRune(bad)} in escape sequence`, stringStart);
      }
      value = value * base + digit;
      cursor++;
    }
    if (value > max || (value >= 0xd800 && value < 0xe000)) fail("escape sequence is an invalid Unicode code point", stringStart);
    return cursor;
  };

  /** Prometheus's scanNumber: returns the end of a number, or undefined when the text is not one. */
  const scanNumber = (start: number): number | undefined => {
    let index = start;
    let digitChars = "0123456789";
    if (query[index] === "0" && (query[index + 1] === "x" || query[index + 1] === "X")) {
      index += 2;
      if (query[index] === "_") index++;
      digitChars = "0123456789abcdefABCDEF";
    }
    const at = (i: number) => query[i] ?? "";
    if (at(index) === ".") index++;
    if (digitChars.includes(at(index)) && at(index) !== "") index++;
    let dot = false;
    let exponent = false;
    while (at(index) !== "" && (digitChars + "._eE").includes(at(index))) {
      const char = at(index);
      if (char === "." && digitChars.length === 10) {
        if (dot) return undefined;
        dot = true;
        index++;
        if ("_.".includes(at(index)) && at(index) !== "") return undefined;
        continue;
      }
      if ((char === "e" || char === "E") && digitChars.length === 10) {
        if (exponent) return undefined;
        exponent = true;
        index++;
        if (at(index) === "+" || at(index) === "-") index++;
        if (at(index) === "" || "._eE".includes(at(index))) return undefined;
        continue;
      }
      if (char === "_") {
        index++;
        if (at(index) === "" || "._eE".includes(at(index))) return undefined;
        continue;
      }
      if (char === ".") return undefined;
      while (at(index) !== "" && digitChars.includes(at(index))) index++;
    }
    if (index === start) return undefined;
    return isAlphaNumeric(at(index)) ? undefined : index;
  };

  /** Prometheus's acceptRemainingDuration after the leading digits. */
  const scanDurationRest = (index: number): number | undefined => {
    const at = (i: number) => query[i] ?? "";
    if (!"smhdwy".includes(at(index)) || at(index) === "") return undefined;
    index++;
    if (at(index) === "s") index++;
    while (isDigit(at(index))) {
      while (isDigit(at(index))) index++;
      if (!"smhdw".includes(at(index)) || at(index) === "") return undefined;
      index++;
      if (at(index) === "s") index++;
    }
    return isAlphaNumeric(at(index)) ? undefined : index;
  };

  const lexNumberOrDuration = (start: number): number => {
    const numberEnd = scanNumber(start);
    if (numberEnd !== undefined) {
      push("number", start, numberEnd);
      return numberEnd;
    }
    let index = start;
    while (isDigit(query[index] ?? "")) index++;
    const durationEnd = index > start ? scanDurationRest(index) : undefined;
    if (durationEnd !== undefined) {
      push("duration", start, durationEnd);
      return durationEnd;
    }
    return fail(`bad number or duration syntax: ${JSON.stringify(query.slice(start, index + 1))}`, start);
  };

  while (pos <= query.length) {
    if (pos === query.length) {
      if (braceOpen) fail("unexpected end of input inside braces", pos);
      if (parenDepth !== 0) fail("unclosed left parenthesis", pos);
      if (bracketOpen) fail("unclosed left bracket", pos);
      tokens.push({ kind: "eof", text: "", pos });
      break;
    }
    const char = query[pos]!;
    if (char === "#") {
      let end = pos;
      while (end < query.length && query[end] !== "\n" && query[end] !== "\r") end++;
      pos = end;
      continue;
    }
    if (isSpace(char)) {
      pos++;
      continue;
    }

    if (braceOpen) {
      if (isAlpha(char)) {
        let end = pos + 1;
        while (end < query.length && isAlphaNumeric(query[end]!)) end++;
        push("identifier", pos, end);
        pos = end;
      } else if (char === ",") {
        push("punct", pos, ++pos);
      } else if (char === '"' || char === "'" || char === "`") {
        const end = scanString(pos);
        push("string", pos, end);
        pos = end;
      } else if (char === "=") {
        const end = query[pos + 1] === "~" ? pos + 2 : pos + 1;
        push(end === pos + 2 ? "operator" : "punct", pos, end);
        pos = end;
      } else if (char === "!") {
        const next = query[pos + 1] ?? "";
        if (next !== "~" && next !== "=") fail(`unexpected character after '!' inside braces: ${quoteRune(next)}`, pos);
        push("operator", pos, pos + 2);
        pos += 2;
      } else if (char === "{") {
        fail(`unexpected left brace ${quoteRune(char)}`, pos);
      } else if (char === "}") {
        push("punct", pos, ++pos);
        braceOpen = false;
      } else {
        fail(`unexpected character inside braces: ${quoteRune(char)}`, pos);
      }
      continue;
    }

    if (bracketOpen) {
      if (isDigit(char)) {
        let end = pos;
        while (isDigit(query[end] ?? "")) end++;
        const durationEnd = scanDurationRest(end);
        if (durationEnd === undefined) {
          if (scanNumber(pos) !== undefined) fail("missing unit character in duration", pos);
          fail(`bad duration syntax: ${JSON.stringify(query.slice(pos, end))}`, pos);
        }
        push("duration", pos, durationEnd!);
        pos = durationEnd!;
      } else if (char === ":") {
        push("punct", pos, ++pos);
      } else if (char === "]") {
        push("punct", pos, ++pos);
        bracketOpen = false;
      } else {
        fail(`unexpected character in duration expression: ${quoteRune(char)}`, pos);
      }
      continue;
    }

    const start = pos;
    switch (char) {
      case ",":
      case "@":
        push("punct", start, ++pos);
        continue;
      case "*":
      case "/":
      case "%":
      case "+":
      case "-":
      case "^":
        push("operator", start, ++pos);
        continue;
      case "=": {
        const next = query[pos + 1];
        if (next === "=") {
          push("operator", start, (pos += 2));
        } else if (next === "~") {
          fail(`unexpected character after '=': ${quoteRune(next)}`, start);
        } else {
          push("punct", start, ++pos);
        }
        continue;
      }
      case "!": {
        const next = query[pos + 1] ?? "";
        if (next !== "=") fail(`unexpected character after '!': ${quoteRune(next)}`, start);
        push("operator", start, (pos += 2));
        continue;
      }
      case "<":
      case ">":
        pos += query[pos + 1] === "=" ? 2 : 1;
        push("operator", start, pos);
        continue;
      case "(":
        push("punct", start, ++pos);
        parenDepth++;
        continue;
      case ")":
        push("punct", start, ++pos);
        parenDepth--;
        // Prometheus reports this after emitting the ')' token, hence the position after it.
        if (parenDepth < 0) fail(`unexpected right parenthesis ${quoteRune(char)}`, start + 1);
        continue;
      case "{":
        push("punct", start, ++pos);
        braceOpen = true;
        continue;
      case "[":
        push("punct", start, ++pos);
        bracketOpen = true;
        continue;
      case "]":
        fail(`unexpected right bracket ${quoteRune(char)}`, start);
        continue;
      case '"':
      case "'":
      case "`": {
        const end = scanString(start);
        push("string", start, end);
        pos = end;
        continue;
      }
    }
    if (isDigit(char) || (char === "." && isDigit(query[pos + 1] ?? ""))) {
      pos = lexNumberOrDuration(start);
      continue;
    }
    if (isAlpha(char) || char === ":") {
      let end = pos + 1;
      while (end < query.length && (isAlphaNumeric(query[end]!) || query[end] === ":")) end++;
      const word = query.slice(start, end);
      const lower = word.toLowerCase();
      let kind: TokenKind;
      if (lower === "inf" || lower === "nan") kind = "number";
      else if (OPERATOR_WORDS.has(lower)) kind = "operator";
      else if (AGGREGATORS.has(lower)) kind = "aggregator";
      else if (KEYWORDS.has(lower)) kind = "keyword";
      else kind = word.includes(":") ? "metricIdentifier" : "identifier";
      tokens.push({ kind, text: kind === "operator" || kind === "aggregator" || kind === "keyword" ? lower : word, pos: start });
      pos = end;
      continue;
    }
    fail(`unexpected character: ${quoteRune(char)}`, start);
  }
  return tokens;
}

/** Unquotes a PromQL string token (Go strconv.Unquote semantics; the lexer already validated it). */
export function unquoteString(text: string): string {
  const quote = text[0];
  const body = text.slice(1, -1);
  if (quote === "`") return body;
  let result = "";
  for (let index = 0; index < body.length; index++) {
    const char = body[index]!;
    if (char !== "\\") {
      result += char;
      continue;
    }
    const next = body[++index]!;
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"', "'": "'" };
    if (simple[next] !== undefined) {
      result += simple[next];
      continue;
    }
    if (next >= "0" && next <= "7") {
      result += String.fromCharCode(parseInt(body.slice(index, index + 3), 8));
      index += 2;
      continue;
    }
    const width = next === "x" ? 2 : next === "u" ? 4 : 8;
    const code = parseInt(body.slice(index + 1, index + 1 + width), 16);
    // \xHH is a byte in Go; label values here are text, so treat it as the code point.
    result += String.fromCodePoint(code);
    index += width;
  }
  return result;
}
