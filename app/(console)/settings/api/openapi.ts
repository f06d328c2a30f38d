/**
 * The parts of an OpenAPI 3.1 document the reference page reads, and plain helpers to describe
 * its JSON Schemas in a line ("Cluster[]", "string | null", "map of string[]").
 */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  example?: unknown;
  default?: unknown;
};

export type MediaContent = Record<string, { schema?: JsonSchema }>;

export type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema }[];
  requestBody?: { required?: boolean; description?: string; content?: MediaContent };
  responses?: Record<string, { description?: string; content?: MediaContent }>;
  security?: Record<string, string[]>[];
  "x-smo-role"?: string;
};

export type SecurityScheme = { type: string; scheme?: string; in?: string; name?: string; description?: string };

export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  paths: Record<string, Partial<Record<HttpMethod, Operation>>>;
  components?: { schemas?: Record<string, JsonSchema>; securitySchemes?: Record<string, SecurityScheme> };
};

export const HTTP_METHODS = ["get", "post", "put", "patch", "delete", "head", "options"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

const COMPONENT_PREFIX = "#/components/schemas/";

/** The component name a `$ref` points at ("Cluster"), or undefined for other references. */
export function refName(ref: string | undefined): string | undefined {
  return ref?.startsWith(COMPONENT_PREFIX) ? ref.slice(COMPONENT_PREFIX.length) : undefined;
}

export function schemaAnchor(name: string): string {
  return `schema-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

export function pathAnchor(path: string): string {
  return `path${path.replace(/[^A-Za-z0-9]+/g, "-").replace(/-$/, "")}`;
}

/** A one-line type: "Cluster[]", "string | null", "\"a\" | \"b\"", "map of number", "object". */
export function typeLabel(schema: JsonSchema | undefined): string {
  if (!schema) return "any";
  const name = refName(schema.$ref);
  if (name) return name;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(" | ");
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(typeLabel).join(" | ");
  if (schema.allOf) return schema.allOf.map(typeLabel).join(" & ");
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return schema.properties ? "object" : "any";
  return types
    .map((type) => {
      if (type === "array") {
        const inner = typeLabel(schema.items);
        return inner.includes(" ") ? `(${inner})[]` : `${inner}[]`;
      }
      if (type === "object" && !schema.properties && typeof schema.additionalProperties === "object") {
        const inner = typeLabel(schema.additionalProperties);
        return inner === "any" ? "map" : `map of ${inner}`;
      }
      return type;
    })
    .join(" | ");
}

/** Constraints worth reading ("≥ 0", "pattern …"); the safe-integer bounds zod adds to every integer are left out. */
export function constraintsOf(schema: JsonSchema): string[] {
  const notes: string[] = [];
  if (schema.minimum !== undefined && schema.minimum !== Number.MIN_SAFE_INTEGER) notes.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined && schema.maximum !== Number.MAX_SAFE_INTEGER) notes.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) notes.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) notes.push(`at most ${schema.maxLength} characters`);
  if (schema.format) notes.push(`format ${schema.format}`);
  if (schema.pattern) notes.push(`pattern ${schema.pattern}`);
  if (schema.default !== undefined) notes.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.example !== undefined) notes.push(`e.g. ${JSON.stringify(schema.example)}`);
  return notes;
}

/** The schema an object-ish schema's fields come from: itself, its array items, or the component it names. */
export function expandable(schema: JsonSchema | undefined, components: Record<string, JsonSchema>): { name?: string; schema: JsonSchema } | undefined {
  if (!schema) return undefined;
  const name = refName(schema.$ref);
  if (name) {
    const target = components[name];
    return target ? { name, schema: target } : undefined;
  }
  if (schema.items) return expandable(schema.items, components);
  if (schema.properties || schema.anyOf || schema.oneOf) return { schema };
  return undefined;
}
