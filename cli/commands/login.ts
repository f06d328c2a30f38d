/**
 * `smo login`: signs in once with a password (read from stdin, never from argv), creates an API
 * token named `cli@<host>` with the user's role, and stores it with the URL in the config file.
 */
import { hostname } from "node:os";
import { TRPCClientError } from "@trpc/client";
import { callConsole, createConsoleClient, normalizeConsoleUrl, parseCommandArgs, writeConfig } from "../client";
import { EXIT_OK, UsageError, type CliCommand, type CliIo } from "../io";

const SESSION_COOKIE = "smo_session";

async function runLogin(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    { url: { type: "string" }, username: { type: "string" }, "password-stdin": { type: "boolean", default: false } },
    { min: 0, max: 0, names: "" },
  );
  if (values.url === undefined) throw new UsageError("missing --url URL");
  if (values.username === undefined) throw new UsageError("missing --username U");
  if (!values["password-stdin"]) throw new UsageError("give the password on stdin with --password-stdin (it is never taken from the command line)");
  if (!io.readStdin) throw new UsageError("--password-stdin needs a readable stdin");
  const url = normalizeConsoleUrl(values.url);
  // One trailing newline is how `echo` and password managers end it; anything else is part of the password.
  const password = (await io.readStdin()).replace(/\r?\n$/, "");
  if (password === "") throw new UsageError("the password read from stdin is empty");

  let sessionCookie: string | undefined;
  const anonymous = createConsoleClient({
    url,
    onResponse: (response) => {
      const cookie = response.headers.getSetCookie().find((header) => header.startsWith(`${SESSION_COOKIE}=`));
      if (cookie) sessionCookie = cookie.split(";")[0];
    },
  });
  const signedIn = await callConsole("sign in", async () => {
    try {
      return await anonymous.auth.signIn.mutate({ username: values.username!, password });
    } catch (error) {
      // Here UNAUTHORIZED means the credentials were refused, not that a stored token expired.
      if (error instanceof TRPCClientError && (error.data as { code?: string } | undefined)?.code === "UNAUTHORIZED") throw new Error(`sign-in refused: ${error.message}`, { cause: error });
      throw error;
    }
  });
  if (!sessionCookie) throw new Error(`the console at ${url} signed you in but set no session cookie`);

  const session = createConsoleClient({ url, headers: { cookie: sessionCookie } });
  const name = `cli@${hostname()}`.slice(0, 64);
  const created = await callConsole("create API tokens", () => session.tokens.create.mutate({ name, role: signedIn.user.role }));
  // The session was only a means to the token; ending it leaves nothing behind but the token.
  await callConsole("sign out", () => session.auth.signOut.mutate());
  const path = await writeConfig({ url, token: created.token });
  io.stdout(`signed in to ${url} as ${signedIn.user.username} (${signedIn.user.role}); token "${name}" (${created.summary.prefix}…) stored in ${path}\n`);
  return EXIT_OK;
}

export const loginCommands: CliCommand[] = [
  {
    name: "login",
    usage: "login --url URL --username U --password-stdin",
    summary: "Sign in to a console and store an API token for the other online commands",
    run: runLogin,
  },
];
