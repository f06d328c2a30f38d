"use client";
/** A JSON Schema as a readable table of fields; named components are links to their own section. */
import { constraintsOf, expandable, refName, schemaAnchor, typeLabel, type JsonSchema } from "./openapi";
import styles from "./api.module.css";

const MAX_DEPTH = 4;

export function TypeText({ schema }: { schema: JsonSchema | undefined }) {
  const name = refName(schema?.$ref) ?? refName(schema?.items?.$ref);
  const label = typeLabel(schema);
  if (!name) return <code className={styles.type}>{label}</code>;
  return (
    <code className={styles.type}>
      <a href={`#${schemaAnchor(name)}`}>{label}</a>
    </code>
  );
}

/** The fields of a schema (an object's properties, or each alternative of a union). */
export function SchemaFields({ schema, components, depth = 0 }: { schema: JsonSchema; components: Record<string, JsonSchema>; depth?: number }) {
  const union = schema.anyOf ?? schema.oneOf;
  if (union) {
    return (
      <div className={styles.union}>
        <p className={styles.unionNote}>One of:</p>
        <ul>
          {union.map((alternative, index) => {
            const target = expandable(alternative, components);
            return (
              <li key={index}>
                <TypeText schema={alternative} />
                {alternative.description && <span className="muted"> — {alternative.description}</span>}
                {target && depth < MAX_DEPTH && !target.name && <SchemaFields schema={target.schema} components={components} depth={depth + 1} />}
              </li>
            );
          })}
        </ul>
      </div>
    );
  }
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) {
    return (
      <p className={styles.freeform}>
        <TypeText schema={schema} />
        {schema.description ? ` — ${schema.description}` : ""}
        {typeof schema.additionalProperties === "object" || schema.additionalProperties === true ? " (any fields)" : ""}
      </p>
    );
  }
  const required = new Set(schema.required ?? []);
  return (
    <table className={styles.fields}>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Type</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {properties.map(([name, property]) => {
          const nested = expandable(property, components);
          const notes = constraintsOf(property);
          return (
            <tr key={name}>
              <th scope="row">
                <code>{name}</code>
                {required.has(name) ? <span className={styles.required}>required</span> : <span className={styles.optional}>optional</span>}
              </th>
              <td>
                <TypeText schema={property} />
              </td>
              <td>
                {property.description}
                {notes.length > 0 && <span className={styles.constraints}>{notes.join(" · ")}</span>}
                {nested && !nested.name && depth < MAX_DEPTH && (
                  <details className={styles.nested}>
                    <summary>Fields of {name}</summary>
                    <SchemaFields schema={nested.schema} components={components} depth={depth + 1} />
                  </details>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** A collapsible schema under a heading line: "application/json — Cluster[]". */
export function SchemaDetails({ mediaType, schema, components }: { mediaType: string; schema: JsonSchema | undefined; components: Record<string, JsonSchema> }) {
  const target = expandable(schema, components);
  if (!target) {
    return (
      <p className={styles.media}>
        <code>{mediaType}</code> — <TypeText schema={schema} />
      </p>
    );
  }
  return (
    <details className={styles.schema}>
      <summary>
        <code>{mediaType}</code> — {typeLabel(schema)}
      </summary>
      {schema?.description && <p className="muted">{schema.description}</p>}
      {target.name && (
        <p className={styles.schemaLink}>
          Schema <a href={`#${schemaAnchor(target.name)}`}>{target.name}</a>
          {target.schema.description ? `: ${target.schema.description}` : ""}
        </p>
      )}
      <SchemaFields schema={target.schema} components={components} />
    </details>
  );
}
