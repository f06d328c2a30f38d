"use client";
/**
 * The REST API's reference, read from the OpenAPI 3.1 document the server publishes
 * (/api/v1/openapi.json, same origin): operations grouped by path, their access, parameters,
 * bodies and responses, and the shared schemas. A small renderer, no documentation library.
 */
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment } from "react";
import { ErrorNotice, Loading, PageHeader } from "@/app/_components/ui";
import { HTTP_METHODS, pathAnchor, schemaAnchor, type JsonSchema, type MediaContent, type OpenApiDocument, type Operation } from "./openapi";
import { SchemaDetails, SchemaFields, TypeText } from "./schema-view";
import styles from "./api.module.css";

const DOCUMENT_URL = "/api/v1/openapi.json";

async function fetchDocument(): Promise<OpenApiDocument> {
  const response = await fetch(DOCUMENT_URL, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`${DOCUMENT_URL} answered HTTP ${response.status}`);
  return (await response.json()) as OpenApiDocument;
}

export function ApiReference() {
  const document = useQuery({ queryKey: ["openapi-document"], queryFn: fetchDocument, staleTime: Infinity });
  return (
    <>
      <PageHeader
        title="API reference"
        description="The REST API under /api/v1, for scripts and the original SMO tools. The console itself and the smo CLI speak tRPC to the same core."
        actions={
          <>
            <a className="button" href={DOCUMENT_URL}>
              OpenAPI JSON
            </a>
            <a className="button" href="/api/v1/docs">
              Plain page
            </a>
          </>
        }
      />
      <ErrorNotice error={document.error} title="The API document could not be loaded" />
      {document.isPending ? <Loading label="Loading the API document…" /> : document.data && <DocumentView document={document.data} />}
    </>
  );
}

function DocumentView({ document }: { document: OpenApiDocument }) {
  const base = document.servers?.[0]?.url ?? "";
  const components = document.components?.schemas ?? {};
  const paths = Object.entries(document.paths);
  return (
    <div className={styles.layout}>
      <nav aria-label="Endpoints" className={styles.toc}>
        <p className={styles.tocTitle}>Endpoints</p>
        <ul>
          {paths.map(([path, methods]) => (
            <li key={path}>
              <a href={`#${pathAnchor(path)}`}>
                <span className={styles.tocMethods}>
                  {HTTP_METHODS.filter((method) => methods[method]).map((method) => (
                    <MethodBadge key={method} method={method} small />
                  ))}
                </span>
                <code>
                  <BreakablePath path={path} />
                </code>
              </a>
            </li>
          ))}
          {Object.keys(components).length > 0 && (
            <li>
              <a href="#schemas">Schemas</a>
            </li>
          )}
        </ul>
      </nav>

      <div className={styles.body}>
        <section className="card" aria-labelledby="auth-heading">
          <h2 id="auth-heading">Using the API</h2>
          <p>
            {document.info.title}, version {document.info.version} (OpenAPI {document.openapi}). {document.info.description}
          </p>
          <ul className={styles.authList}>
            <li>
              <strong>Base URL:</strong> <code>{base || "/"}</code> on this console&apos;s address.
            </li>
            <li>
              <strong>API token:</strong> send <code>Authorization: Bearer smo_…</code>. Create one under <Link href="/settings/tokens">API tokens</Link>; it acts
              with its own role, never above its owner&apos;s.
            </li>
            <li>
              <strong>Session:</strong> a browser signed in to the console sends its <code>{document.components?.securitySchemes?.sessionCookie?.name ?? "session"}</code> cookie;
              changes with a cookie must come from the console&apos;s own pages.
            </li>
            <li>
              <strong>Alertmanager webhook:</strong> <code>POST {base}/alerts</code> takes its own token (<code>SMO_ALERT_WEBHOOK_TOKEN</code>), not a user&apos;s.
            </li>
            <li>
              <strong>Roles:</strong> each operation names the least role it needs (viewer reads, operator changes graphs). Errors are{" "}
              <code>application/problem+json</code> (RFC 9457).
            </li>
          </ul>
        </section>

        <section className="section" aria-labelledby="endpoints-heading">
          <h2 id="endpoints-heading">Endpoints</h2>
          {paths.map(([path, methods]) => (
            <section key={path} id={pathAnchor(path)} className={styles.path} aria-labelledby={`${pathAnchor(path)}-heading`}>
              <h3 id={`${pathAnchor(path)}-heading`} className={styles.pathTitle}>
                <code>
                  {base}
                  {path}
                </code>
              </h3>
              {HTTP_METHODS.filter((method) => methods[method]).map((method) => (
                <OperationView key={method} method={method} path={base + path} operation={methods[method]!} components={components} />
              ))}
            </section>
          ))}
        </section>

        {Object.keys(components).length > 0 && (
          <section className="section" id="schemas" aria-labelledby="schemas-heading">
            <h2 id="schemas-heading">Schemas</h2>
            {Object.entries(components).map(([name, schema]) => (
              <details key={name} id={schemaAnchor(name)} className={`card ${styles.component}`}>
                <summary>
                  <code>{name}</code>
                  {schema.description && <span className="muted"> — {schema.description}</span>}
                </summary>
                <SchemaFields schema={schema} components={components} />
              </details>
            ))}
          </section>
        )}
      </div>
    </div>
  );
}

/** A path that may wrap after each "/" in a narrow column. */
function BreakablePath({ path }: { path: string }) {
  const parts = path.split("/");
  return parts.map((part, index) => (
    <Fragment key={index}>
      {index > 0 && "/"}
      {part}
      {index > 0 && index < parts.length - 1 && <wbr />}
    </Fragment>
  ));
}

function MethodBadge({ method, small }: { method: string; small?: boolean }) {
  return <span className={`${styles.method} ${styles[`method-${method}`] ?? ""} ${small ? styles.methodSmall : ""}`}>{method.toUpperCase()}</span>;
}

function accessOf(operation: Operation): { label: string; tone: string } {
  const schemes = (operation.security ?? []).flatMap((requirement) => Object.keys(requirement));
  if (schemes.length === 0) return { label: "Public", tone: "public" };
  if (schemes.includes("alertWebhookToken")) return { label: "Webhook token", tone: "webhook" };
  const role = operation["x-smo-role"] ?? "signed in";
  return { label: `${role[0]!.toUpperCase()}${role.slice(1)} or above`, tone: role };
}

/** Media types that share one schema are listed together ("application/json, text/yaml"). */
function groupBySchema(content: MediaContent | undefined): { mediaTypes: string[]; schema: JsonSchema | undefined }[] {
  const groups = new Map<string, { mediaTypes: string[]; schema: JsonSchema | undefined }>();
  for (const [mediaType, { schema }] of Object.entries(content ?? {})) {
    const key = JSON.stringify(schema ?? null);
    const group = groups.get(key);
    if (group) group.mediaTypes.push(mediaType);
    else groups.set(key, { mediaTypes: [mediaType], schema });
  }
  return [...groups.values()];
}

function OperationView({ method, path, operation, components }: { method: string; path: string; operation: Operation; components: Record<string, JsonSchema> }) {
  const access = accessOf(operation);
  const responses = Object.entries(operation.responses ?? {});
  return (
    <article className={styles.operation} aria-label={`${method.toUpperCase()} ${path}`}>
      <header className={styles.operationHead}>
        <MethodBadge method={method} />
        <h4 className={styles.summary}>{operation.summary ?? operation.operationId}</h4>
        <span className={`${styles.access} ${styles[`access-${access.tone}`] ?? ""}`}>{access.label}</span>
      </header>
      {operation.operationId && (
        <p className={styles.operationId}>
          Operation <code>{operation.operationId}</code>
        </p>
      )}
      {operation.description && <p>{operation.description}</p>}

      {operation.parameters && operation.parameters.length > 0 && (
        <div className={styles.block}>
          <h5>Parameters</h5>
          <table className={styles.fields}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">In</th>
                <th scope="col">Type</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {operation.parameters.map((parameter) => (
                <tr key={`${parameter.in}-${parameter.name}`}>
                  <th scope="row">
                    <code>{parameter.name}</code>
                    {parameter.required ? <span className={styles.required}>required</span> : <span className={styles.optional}>optional</span>}
                  </th>
                  <td>{parameter.in}</td>
                  <td>
                    <TypeText schema={parameter.schema} />
                  </td>
                  <td>
                    {parameter.description ?? parameter.schema?.description}
                    {parameter.schema?.example !== undefined && <span className={styles.constraints}>e.g. {JSON.stringify(parameter.schema.example)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {operation.requestBody && (
        <div className={styles.block}>
          <h5>Request body {operation.requestBody.required ? <span className={styles.required}>required</span> : <span className={styles.optional}>optional</span>}</h5>
          {groupBySchema(operation.requestBody.content).map((group) => (
            <SchemaDetails key={group.mediaTypes.join()} mediaType={group.mediaTypes.join(", ")} schema={group.schema} components={components} />
          ))}
        </div>
      )}

      {responses.length > 0 && (
        <div className={styles.block}>
          <h5>Responses</h5>
          <ul className={styles.responses}>
            {responses.map(([status, response]) => (
              <li key={status}>
                <div className={styles.responseLine}>
                  <span className={`${styles.status} ${styles[`status-${status[0]}`] ?? ""}`}>{status === "default" ? "Error" : status}</span>
                  <span>{response.description}</span>
                </div>
                {groupBySchema(response.content).map((group) => (
                  <SchemaDetails key={group.mediaTypes.join()} mediaType={group.mediaTypes.join(", ")} schema={group.schema} components={components} />
                ))}
              </li>
            ))}
          </ul>
        </div>
      )}
    </article>
  );
}
