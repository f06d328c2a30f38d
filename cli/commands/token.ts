/** `smo token create|list|revoke`: API tokens of the signed-in user (admins see everyone's). */
import { callConsole, connectConsole, formatInstant, parseCommandArgs, printJson } from "../client";
import { EXIT_OK, UsageError, formatTable, type CliCommand, type CliIo } from "../io";

const ROLES = ["viewer", "operator", "admin"] as const;
type Role = (typeof ROLES)[number];

/** "30d" or "30" → 30 days. */
function parseExpiry(text: string): number {
  const match = /^(\d+)d?$/.exec(text.trim());
  const days = match ? Number(match[1]) : NaN;
  if (!Number.isInteger(days) || days < 1) throw new UsageError(`--expires must be a number of days such as 30d (got "${text}")`);
  return days;
}

async function runTokenCreate(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    args,
    { role: { type: "string" }, expires: { type: "string" }, name: { type: "string" }, json: { type: "boolean", default: false } },
    { min: 0, max: 0, names: "" },
  );
  if (values.role === undefined) throw new UsageError(`missing --role (${ROLES.join(", ")})`);
  if (!ROLES.includes(values.role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(", ")} (got "${values.role}")`);
  const expiresInDays = values.expires === undefined ? undefined : parseExpiry(values.expires);
  const name = values.name ?? `token-${new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-")}`;
  const client = await connectConsole();
  const created = await callConsole("create API tokens", () => client.tokens.create.mutate({ name, role: values.role as Role, expiresInDays }));
  if (values.json) printJson(io, created);
  else {
    io.stdout(`${created.token}\n`);
    io.stderr(`token "${created.summary.name}" (id ${created.summary.id}, ${created.summary.role}, expires ${formatInstant(created.summary.expiresAt)}): shown once, store it now\n`);
  }
  return EXIT_OK;
}

async function runTokenList(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { json: { type: "boolean", default: false } }, { min: 0, max: 0, names: "" });
  const client = await connectConsole();
  const tokens = await callConsole("list API tokens", () => client.tokens.list.query());
  if (values.json) printJson(io, tokens);
  else {
    const rows = tokens.map((token) => [
      token.id,
      token.name,
      `${token.prefix}…`,
      token.role,
      token.owner ?? "-",
      formatInstant(token.expiresAt),
      token.revokedAt ? `revoked ${formatInstant(token.revokedAt)}` : "active",
      formatInstant(token.lastUsedAt),
    ]);
    io.stdout(formatTable(["ID", "NAME", "PREFIX", "ROLE", "OWNER", "EXPIRES", "STATE", "LAST USED"], rows));
  }
  return EXIT_OK;
}

async function runTokenRevoke(args: string[], io: CliIo): Promise<number> {
  const { positionals } = parseCommandArgs(args, {}, { min: 1, max: 1, names: "the token ID" });
  const id = Number(positionals[0]);
  if (!Number.isInteger(id) || id < 1) throw new UsageError(`ID must be a token's number, as in smo token list (got "${positionals[0]}")`);
  const client = await connectConsole();
  const revoked = await callConsole("revoke this token", () => client.tokens.revoke.mutate({ id }));
  io.stdout(`token ${revoked.id} "${revoked.name}" revoked\n`);
  return EXIT_OK;
}

export const tokenCommands: CliCommand[] = [
  { name: "token create", usage: "token create --role R [--expires 30d] [--name N] [--json]", summary: "Create an API token (printed once)", run: runTokenCreate },
  { name: "token list", usage: "token list [--json]", summary: "List API tokens", run: runTokenList },
  { name: "token revoke", usage: "token revoke ID", summary: "Revoke an API token", run: runTokenRevoke },
];
