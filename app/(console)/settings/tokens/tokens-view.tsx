"use client";
/**
 * API tokens for the CLI and scripts: create one (its plaintext is shown once, here, and kept
 * nowhere else), list them, revoke them. Admins see everyone's tokens, others their own.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { isTRPCClientError } from "@trpc/client";
import { useRef, useState, type FormEvent } from "react";
import { errorMessage, useTRPC } from "@/app/trpc";
import { useMe } from "@/app/_components/session";
import { EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge } from "@/app/_components/ui";
import { formatDateTime, timeAgo } from "@/app/_components/format";
import { hasRole, ROLES, type Role } from "@/lib/auth/roles";
import { FormDialogButton } from "../form-dialog";
import styles from "../settings.module.css";

const DEFAULT_EXPIRY_DAYS = 90;

export function TokensView() {
  const trpc = useTRPC();
  const me = useMe().data;
  const tokens = useQuery(trpc.tokens.list.queryOptions());
  const forbidden = isTRPCClientError(tokens.error) && tokens.error.data?.code === "FORBIDDEN";
  if (!me) return <Loading />;
  const isAdmin = me.role === "admin";
  return (
    <>
      <PageHeader
        title="API tokens"
        description={
          <>
            Tokens let the <code>smo</code> CLI and scripts call the API as you: send <code>Authorization: Bearer smo_…</code>. A token never acts above your own role.
          </>
        }
      />
      {forbidden ? (
        <EmptyState title="Tokens are not available to your role">
          <p>
            This server lets only operators and admins hold API tokens; you are a {me.role}. Ask an admin for a higher role, or read the API through the console.
          </p>
        </EmptyState>
      ) : (
        <>
          <CreateTokenForm myRole={me.role as Role} />
          <section className="section" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">{isAdmin ? "All tokens" : "Your tokens"}</h2>
            <ErrorNotice error={tokens.error} title="Tokens could not be loaded" />
            {tokens.isPending ? <Loading label="Loading tokens…" /> : tokens.data && <TokenTable tokens={tokens.data} showOwner={isAdmin} />}
          </section>
        </>
      )}
    </>
  );
}

type Token = {
  id: number;
  name: string;
  prefix: string;
  role: string;
  owner: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
};

function TokenTable({ tokens, showOwner }: { tokens: Token[]; showOwner: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(
    trpc.tokens.revoke.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() }),
    }),
  );
  if (tokens.length === 0) {
    return <EmptyState title="No API tokens yet">Create one above to use the CLI (`smo login --token …`) or to call the REST API from a script.</EmptyState>;
  }
  const now = Date.now();
  return (
    <>
      {revoke.isError && (
        <p className="notice notice-error" role="alert">
          The token was not revoked: {errorMessage(revoke.error)}
        </p>
      )}
      <div className="table-wrap">
        <table>
          <caption className="visually-hidden">API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              {showOwner && <th scope="col">Owner</th>}
              <th scope="col">Role</th>
              <th scope="col">Created</th>
              <th scope="col">Expires</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => {
              const expired = token.expiresAt !== null && new Date(token.expiresAt).getTime() <= now;
              return (
                <tr key={token.id} data-token={token.name}>
                  <th scope="row" className={styles.rowHeader}>
                    <div>{token.name}</div>
                    <div className="mono muted">{token.prefix}…</div>
                  </th>
                  {showOwner && <td>{token.owner ?? "—"}</td>}
                  <td>
                    <span className={`${styles.role} ${styles[`role-${token.role}`] ?? ""}`}>{token.role}</span>
                  </td>
                  <td className={styles.nowrap} title={formatDateTime(token.createdAt)}>{timeAgo(token.createdAt)}</td>
                  <td title={token.expiresAt ? formatDateTime(token.expiresAt) : undefined}>{token.expiresAt ? formatDateTime(token.expiresAt) : "Never"}</td>
                  <td className={styles.nowrap} title={token.lastUsedAt ? formatDateTime(token.lastUsedAt) : undefined}>{token.lastUsedAt ? timeAgo(token.lastUsedAt) : "Never"}</td>
                  <td>
                    {token.revokedAt ? (
                      <StatusBadge status="failed" label={`Revoked ${timeAgo(token.revokedAt)}`} />
                    ) : expired ? (
                      <StatusBadge status="Stopped" label="Expired" />
                    ) : (
                      <StatusBadge status="Ready" label="Active" />
                    )}
                  </td>
                  <td>
                    {!token.revokedAt && !expired && (
                      <FormDialogButton
                        label="Revoke"
                        ariaLabel={`Revoke ${token.name}`}
                        title={`Revoke the token “${token.name}”?`}
                        submitLabel="Revoke token"
                        tone="danger"
                        disabled={revoke.isPending}
                        onSubmit={() => revoke.mutate({ id: token.id })}
                      >
                        <p className="dialog-body">Anything using this token is refused from now on. This cannot be undone; create a new token if it is needed again.</p>
                      </FormDialogButton>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function CreateTokenForm({ myRole }: { myRole: Role }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const roles = ROLES.filter((role) => hasRole(myRole, role));
  const [name, setName] = useState("");
  const [role, setRole] = useState<Role>(roles.includes("operator") ? "operator" : roles[0]!);
  const [expiry, setExpiry] = useState(String(DEFAULT_EXPIRY_DAYS));
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: () => {
        setName("");
        return queryClient.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
      },
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ name: name.trim(), role, expiresInDays: expiry === "" ? undefined : Number(expiry) });
  }

  return (
    <section aria-labelledby="create-token-heading" className="card">
      <h2 id="create-token-heading">Create a token</h2>
      {create.data ? (
        <NewToken name={create.data.summary.name} token={create.data.token} onDone={() => create.reset()} />
      ) : (
        <form onSubmit={submit} className={styles.inlineForm}>
          <label className="field">
            <span>Name</span>
            <input required maxLength={64} placeholder="e.g. ci-deploy" value={name} onChange={(event) => setName(event.target.value)} />
          </label>
          <label className="field">
            <span>Role</span>
            <select value={role} onChange={(event) => setRole(event.target.value as Role)}>
              {roles.map((candidate) => (
                <option key={candidate} value={candidate}>
                  {candidate}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Expires after (days)</span>
            <input
              type="number"
              min={1}
              max={3650}
              step={1}
              value={expiry}
              onChange={(event) => setExpiry(event.target.value)}
              aria-describedby="token-expiry-hint"
              className={styles.narrowInput}
            />
          </label>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create token"}
          </button>
          <small id="token-expiry-hint" className={`muted ${styles.formHint}`}>
            Leave the days empty for a token that never expires. Roles above yours ({myRole}) are not offered.
          </small>
        </form>
      )}
      {create.isError && (
        <p className="notice notice-error" role="alert">
          The token was not created: {errorMessage(create.error)}
        </p>
      )}
    </section>
  );
}

/** The plaintext, once: it lives only in this component's mutation result and is gone after "Done" or a reload. */
function NewToken({ name, token, onDone }: { name: string; token: string; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(token);
      setCopied("yes");
    } catch {
      input.current?.select();
      setCopied("failed");
    }
  }

  return (
    <div className={styles.newToken} role="region" aria-label="New token">
      <p className={styles.newTokenWarning}>
        <strong>Copy the token “{name}” now.</strong> This is the only time it is shown: the console keeps only a hash of it and cannot show it again.
      </p>
      <div className={styles.tokenRow}>
        <label htmlFor="new-token-value" className="visually-hidden">
          The new token
        </label>
        <input id="new-token-value" ref={input} className={`mono ${styles.tokenValue}`} readOnly value={token} onFocus={(event) => event.target.select()} />
        <button type="button" className="button button-primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <div className={styles.tokenDone}>
        <button type="button" className="button" onClick={onDone}>
          Done, I have stored it
        </button>
        <p role="status" className={styles.copyStatus}>
          {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? "The browser refused the clipboard: the token is selected, press Ctrl+C (⌘C) to copy it." : ""}
        </p>
      </div>
    </div>
  );
}
