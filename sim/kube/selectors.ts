/**
 * Label and field selectors as the API server parses them (`?labelSelector=` grammar of
 * apimachinery `labels.Parse`), plus matching of the structured `metav1.LabelSelector`
 * found inside objects (PropagationPolicy resource selectors, cluster affinity).
 */
import { badRequest } from "./status";

export type LabelRequirement =
  | { key: string; operator: "exists" | "notexists" }
  | { key: string; operator: "in" | "notin"; values: string[] }
  | { key: string; operator: "gt" | "lt"; value: number };

export type Labels = Record<string, string> | undefined;

type Token = { kind: "identifier" | "operator" | "end"; text: string };

const OPERATOR_TOKENS = ["==", "!=", "=", "!", "(", ")", ",", "<", ">"];
const SPECIAL_CHARS = new Set(["=", "!", "(", ")", ",", "<", ">", " ", "\t", "\n", "\r"]);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    const operator = OPERATOR_TOKENS.find((candidate) => text.startsWith(candidate, index));
    if (operator) {
      tokens.push({ kind: "operator", text: operator });
      index += operator.length;
      continue;
    }
    let end = index;
    while (end < text.length && !SPECIAL_CHARS.has(text[end]!)) end += 1;
    tokens.push({ kind: "identifier", text: text.slice(index, end) });
    index = end;
  }
  tokens.push({ kind: "end", text: "" });
  return tokens;
}

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkKey(key: string): void {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const problems: string[] = [];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    problems.push("prefix part must be a lowercase RFC 1123 subdomain");
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    problems.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  if (problems.length > 0) {
    throw badRequest(`unable to parse requirement: <nil>: Invalid value: "${key}": ${problems.join(", ")}`);
  }
}

function checkValue(value: string): void {
  if (value === "") return;
  if (value.length > 63 || !NAME_PART.test(value)) {
    throw badRequest(
      `unable to parse requirement: <nil>: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

/** Parses a `?labelSelector=` string; throws a 400 BadRequest Status when it is malformed. */
export function parseLabelSelector(text: string): LabelRequirement[] {
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position]!;
  const next = () => tokens[position++]!;
  const fail = (found: Token, expected: string): never => {
    throw badRequest(`unable to parse requirement: found '${found.text || "EOS"}', expected: ${expected}`);
  };
  const requirements: LabelRequirement[] = [];
  if (peek().kind === "end") return requirements;
  for (;;) {
    let token = next();
    if (token.kind === "operator" && token.text === "!") {
      const key = next();
      if (key.kind !== "identifier") fail(key, "identifier");
      checkKey(key.text);
      requirements.push({ key: key.text, operator: "notexists" });
    } else {
      if (token.kind !== "identifier") fail(token, "! or identifier");
      const key = token.text;
      checkKey(key);
      token = peek();
      if (token.kind === "end" || token.text === ",") {
        requirements.push({ key, operator: "exists" });
      } else if (token.kind === "operator" && ["=", "==", "!="].includes(token.text)) {
        next();
        const valueToken = peek();
        let value = "";
        if (valueToken.kind === "identifier") value = next().text;
        else if (!(valueToken.kind === "end" || valueToken.text === ",")) fail(valueToken, "identifier");
        checkValue(value);
        requirements.push({ key, operator: token.text === "!=" ? "notin" : "in", values: [value] });
      } else if (token.kind === "operator" && (token.text === "<" || token.text === ">")) {
        next();
        const valueToken = next();
        const value = Number(valueToken.text);
        if (valueToken.kind !== "identifier" || !Number.isInteger(value)) {
          throw badRequest(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        }
        requirements.push({ key, operator: token.text === ">" ? "gt" : "lt", value });
      } else if (token.kind === "identifier" && (token.text === "in" || token.text === "notin")) {
        next();
        const open = next();
        if (open.text !== "(") fail(open, "'('");
        const values: string[] = [];
        for (;;) {
          const item = peek();
          if (item.kind === "identifier") {
            checkValue(item.text);
            values.push(next().text);
          }
          const separator = next();
          if (separator.text === ")") break;
          if (separator.text !== ",") fail(separator, "',' or ')'");
        }
        requirements.push({ key, operator: token.text, values });
      } else {
        fail(token, "'=', '!=', '==', 'in', notin'");
      }
    }
    const after = next();
    if (after.kind === "end") break;
    if (after.text !== ",") fail(after, "','");
  }
  return requirements;
}

export function matchesRequirements(labels: Labels, requirements: LabelRequirement[]): boolean {
  const present = labels ?? {};
  return requirements.every((requirement) => {
    const has = Object.prototype.hasOwnProperty.call(present, requirement.key);
    const value = present[requirement.key];
    switch (requirement.operator) {
      case "exists":
        return has;
      case "notexists":
        return !has;
      case "in":
        return has && requirement.values.includes(value!);
      case "notin":
        return !has || !requirement.values.includes(value!);
      case "gt":
      case "lt": {
        if (!has || !/^-?\d+$/.test(value!)) return false;
        const number = Number(value);
        return requirement.operator === "gt" ? number > requirement.value : number < requirement.value;
      }
    }
  });
}

/** A structured `metav1.LabelSelector`. */
export type LabelSelectorObject = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

/** Matches a structured selector; an empty selector matches everything. Unknown operators match nothing. */
export function matchesLabelSelector(labels: Labels, selector: LabelSelectorObject): boolean {
  const requirements: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    operator: "in",
    values: [value],
  }));
  for (const expression of selector.matchExpressions ?? []) {
    const operator = expression.operator;
    if (operator === "In") requirements.push({ key: expression.key, operator: "in", values: expression.values ?? [] });
    else if (operator === "NotIn") requirements.push({ key: expression.key, operator: "notin", values: expression.values ?? [] });
    else if (operator === "Exists") requirements.push({ key: expression.key, operator: "exists" });
    else if (operator === "DoesNotExist") requirements.push({ key: expression.key, operator: "notexists" });
    else return false;
  }
  return matchesRequirements(labels, requirements);
}

/** A label selector rendered as a string, as the Scale subresource reports it (`app=web`). */
export function formatLabelSelector(selector: LabelSelectorObject | undefined): string {
  if (!selector) return "";
  const parts = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`);
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...(expression.values ?? [])].sort().join(",");
    if (expression.operator === "In") parts.push(`${expression.key} in (${values})`);
    else if (expression.operator === "NotIn") parts.push(`${expression.key} notin (${values})`);
    else if (expression.operator === "Exists") parts.push(expression.key);
    else if (expression.operator === "DoesNotExist") parts.push(`!${expression.key}`);
  }
  return parts.join(",");
}

export type FieldRequirement = { field: string; value: string; equal: boolean };

/** Parses a `?fieldSelector=` (`a=b`, `a==b`, `a!=b`, comma = AND); `supported` lists the allowed fields. */
export function parseFieldSelector(text: string, supported: string[]): FieldRequirement[] {
  if (text.trim() === "") return [];
  return text.split(",").map((part) => {
    const match = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const [, field, operator, value] = match;
    if (!supported.includes(field!)) throw badRequest(`field label not supported: ${field}`);
    return { field: field!, value: value!, equal: operator !== "!=" };
  });
}

export function matchesFields(fields: Record<string, string>, requirements: FieldRequirement[]): boolean {
  return requirements.every((requirement) => (fields[requirement.field] === requirement.value) === requirement.equal);
}
