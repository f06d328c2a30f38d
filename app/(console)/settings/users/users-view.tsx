"use client";
/**
 * User management for admins: create, change role, disable or enable, reset password, delete.
 * The server refuses to leave the console without an enabled admin; that refusal is shown as it comes.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { errorMessage, useTRPC } from "@/app/trpc";
import { useCan, useMe } from "@/app/_components/session";
import { EmptyState, ErrorNotice, Loading, PageHeader, StatusBadge } from "@/app/_components/ui";
import { formatDateTime, timeAgo } from "@/app/_components/format";
import { ROLES, type Role } from "@/lib/auth/roles";
import { FormDialogButton } from "../form-dialog";
import styles from "../settings.module.css";

const PASSWORD_MIN_LENGTH = 8;

const ROLE_HELP = "A viewer reads everything; an operator also deploys, starts, stops and re-places graphs; an admin also manages users, tokens and settings.";

export function UsersView() {
  const isAdmin = useCan("admin");
  const me = useMe();
  if (!me.data) return <Loading />;
  return (
    <>
      <PageHeader title="Users" description="Who can sign in to this console, and with which role." />
      {isAdmin ? (
        <UserManagement self={me.data.username} />
      ) : (
        <EmptyState title="Admins only">
          <p>
            Managing users needs the admin role; you are signed in as <strong>{me.data.username}</strong> ({me.data.role}). Ask an admin to change your role or to
            create an account.
          </p>
        </EmptyState>
      )}
    </>
  );
}

type Outcome = { kind: "ok" | "error"; text: string };

function UserManagement({ self }: { self: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.users.list.queryOptions());
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const handlers = (done: (username: string) => string, failed: (username: string) => string) => ({
    onSuccess: (_: unknown, input: { username: string }) => {
      setOutcome({ kind: "ok", text: done(input.username) });
      return refresh();
    },
    onError: (error: unknown, input: { username: string }) => setOutcome({ kind: "error", text: `${failed(input.username)}: ${errorMessage(error)}` }),
  });
  const setRole = useMutation(trpc.users.setRole.mutationOptions(handlers((name) => `${name}'s role was changed.`, (name) => `${name}'s role was not changed`)));
  const setDisabled = useMutation(trpc.users.setDisabled.mutationOptions(handlers((name) => `${name} was updated.`, (name) => `${name} was not updated`)));
  const resetPassword = useMutation(
    trpc.users.resetPassword.mutationOptions(handlers((name) => `${name}'s password was reset; their sessions were ended.`, (name) => `${name}'s password was not reset`)),
  );
  const remove = useMutation(trpc.users.remove.mutationOptions(handlers((name) => `${name} was deleted.`, (name) => `${name} was not deleted`)));

  return (
    <>
      <CreateUserForm onCreated={(name) => {
        setOutcome({ kind: "ok", text: `${name} was created.` });
        void refresh();
      }} />
      <section className="section" aria-labelledby="users-heading">
        <h2 id="users-heading">Accounts</h2>
        {outcome && (
          <p className={`notice ${outcome.kind === "ok" ? "notice-ok" : "notice-error"}`} role={outcome.kind === "ok" ? "status" : "alert"}>
            {outcome.text}
          </p>
        )}
        <ErrorNotice error={users.error} title="Users could not be loaded" />
        {users.isPending ? (
          <Loading label="Loading users…" />
        ) : users.data && users.data.length > 0 ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Users of the console</caption>
              <thead>
                <tr>
                  <th scope="col">User</th>
                  <th scope="col">Role</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.map((user) => {
                  const locked = user.lockedUntil && new Date(user.lockedUntil).getTime() > Date.now();
                  return (
                    <tr key={user.id}>
                      <th scope="row" className={styles.rowHeader}>
                        <span className={styles.userName}>{user.username}</span>
                        {user.username === self && <span className="tag">you</span>}
                      </th>
                      <td>
                        <span className={`${styles.role} ${styles[`role-${user.role}`] ?? ""}`}>{user.role}</span>
                      </td>
                      <td>
                        {user.disabled ? (
                          <StatusBadge status="Stopped" label="Disabled" />
                        ) : locked ? (
                          <StatusBadge status="warning" label={`Locked until ${formatDateTime(user.lockedUntil)}`} />
                        ) : (
                          <StatusBadge status="Ready" label="Active" />
                        )}
                      </td>
                      <td className={styles.nowrap} title={formatDateTime(user.createdAt)}>{timeAgo(user.createdAt)}</td>
                      <td>
                        <div className={styles.rowActions}>
                          <RoleDialog username={user.username} role={user.role} onChange={(role) => setRole.mutate({ username: user.username, role })} />
                          <PasswordDialog username={user.username} onReset={(password) => resetPassword.mutate({ username: user.username, password })} />
                          <FormDialogButton
                            label={user.disabled ? "Enable" : "Disable"}
                            ariaLabel={`${user.disabled ? "Enable" : "Disable"} ${user.username}`}
                            title={user.disabled ? `Enable ${user.username}?` : `Disable ${user.username}?`}
                            submitLabel={user.disabled ? "Enable" : "Disable"}
                            tone={user.disabled ? "primary" : "danger"}
                            onSubmit={() => setDisabled.mutate({ username: user.username, disabled: !user.disabled })}
                          >
                            <p className="dialog-body">
                              {user.disabled
                                ? `${user.username} will be able to sign in again, and their API tokens work again.`
                                : `${user.username} is signed out everywhere and cannot sign in; their API tokens stop working until they are enabled again.`}
                            </p>
                          </FormDialogButton>
                          <FormDialogButton
                            label="Delete"
                            ariaLabel={`Delete ${user.username}`}
                            title={`Delete ${user.username}?`}
                            submitLabel="Delete user"
                            tone="danger"
                            onSubmit={() => remove.mutate({ username: user.username })}
                          >
                            <p className="dialog-body">The account, its sessions and its API tokens are deleted. This cannot be undone.</p>
                          </FormDialogButton>
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : (
          <EmptyState title="No users">Create the first account above.</EmptyState>
        )}
        <p className="muted">
          The console always keeps one enabled admin: the last one cannot be demoted, disabled or deleted. Sign-in times are not recorded; the audit log keeps who
          did what.
        </p>
      </section>
    </>
  );
}

function RoleSelect({ id, value, onChange, describedBy }: { id: string; value: Role; onChange: (role: Role) => void; describedBy?: string }) {
  return (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value as Role)} aria-describedby={describedBy}>
      {ROLES.map((role) => (
        <option key={role} value={role}>
          {role}
        </option>
      ))}
    </select>
  );
}

function RoleDialog({ username, role, onChange }: { username: string; role: Role; onChange: (role: Role) => void }) {
  const [draft, setDraft] = useState(role);
  const id = `role-of-${username}`;
  return (
    <FormDialogButton
      label="Change role"
      ariaLabel={`Change the role of ${username}`}
      title={`Change the role of ${username}`}
      submitLabel="Change role"
      onOpen={() => setDraft(role)}
      onSubmit={() => {
        if (draft !== role) onChange(draft);
      }}
    >
      <div className="field">
        <label htmlFor={id}>
          <strong>New role</strong> (now {role})
        </label>
        <RoleSelect id={id} value={draft} onChange={setDraft} describedBy={`${id}-help`} />
        <small id={`${id}-help`} className="muted">
          {ROLE_HELP}
        </small>
      </div>
    </FormDialogButton>
  );
}

function PasswordDialog({ username, onReset }: { username: string; onReset: (password: string) => void }) {
  const [password, setPassword] = useState("");
  const id = `password-of-${username}`;
  return (
    <FormDialogButton
      label="Reset password"
      ariaLabel={`Reset the password of ${username}`}
      title={`Reset the password of ${username}`}
      submitLabel="Reset password"
      tone="danger"
      onOpen={() => setPassword("")}
      onSubmit={() => onReset(password)}
    >
      <div className="field">
        <label htmlFor={id}>
          <strong>New password</strong>
        </label>
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          minLength={PASSWORD_MIN_LENGTH}
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          aria-describedby={`${id}-hint`}
        />
        <small id={`${id}-hint`} className="muted">
          At least {PASSWORD_MIN_LENGTH} characters. Their sessions end and any lockout is lifted; tell them the new password yourself.
        </small>
      </div>
    </FormDialogButton>
  );
}

function CreateUserForm({ onCreated }: { onCreated: (username: string) => void }) {
  const trpc = useTRPC();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const create = useMutation(
    trpc.users.create.mutationOptions({
      onSuccess: (user) => {
        setUsername("");
        setPassword("");
        setRole("viewer");
        onCreated(user.username);
      },
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ username, password, role });
  }

  return (
    <section aria-labelledby="create-user-heading" className="card">
      <h2 id="create-user-heading">Create a user</h2>
      <form onSubmit={submit} className={styles.inlineForm}>
        <label className="field">
          <span>User name</span>
          <input
            name="username"
            autoComplete="off"
            required
            maxLength={63}
            pattern="[a-z0-9][a-z0-9._\-]*"
            title="Lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </label>
        <label className="field">
          <span>Initial password</span>
          <input
            name="new-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <div className="field">
          <label htmlFor="new-user-role">
            <strong>Role</strong>
          </label>
          <RoleSelect id="new-user-role" value={role} onChange={setRole} describedBy="role-help" />
        </div>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create user"}
        </button>
      </form>
      <p id="role-help" className={`muted ${styles.roleHelp}`}>
        {ROLE_HELP}
      </p>
      {create.isError && (
        <p className="notice notice-error" role="alert">
          The user was not created: {errorMessage(create.error)}
        </p>
      )}
    </section>
  );
}
