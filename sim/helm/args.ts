/**
 * Command-line parsing with cobra/pflag semantics, enough to behave like helm 3: flags may be
 * interspersed with arguments, `--flag=value`, `--flag value`, `-n value`, `-nvalue`, repeatable
 * string arrays, booleans with optional `=true|false`, `--` ends flags. Errors carry helm's wording.
 */

export type FlagSpec = {
  name: string;
  shorthand?: string;
  kind: "bool" | "string" | "stringArray";
};

export type ParsedFlags = {
  bools: Map<string, boolean>;
  strings: Map<string, string>;
  arrays: Map<string, string[]>;
};

export class CliUsageError extends Error {}

/** Flags every command accepts (helm's persistent root flags that the sandbox understands). */
export const GLOBAL_FLAGS: FlagSpec[] = [
  { name: "namespace", shorthand: "n", kind: "string" },
  { name: "kubeconfig", kind: "string" },
  { name: "kube-context", kind: "string" },
  { name: "debug", kind: "bool" },
  { name: "burst-limit", kind: "string" },
  { name: "qps", kind: "string" },
  { name: "registry-config", kind: "string" },
  { name: "repository-cache", kind: "string" },
  { name: "repository-config", kind: "string" },
];

export function parseFlags(args: string[], specs: FlagSpec[]): { flags: ParsedFlags; positionals: string[] } {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const byShorthand = new Map(specs.filter((spec) => spec.shorthand).map((spec) => [spec.shorthand as string, spec]));
  const flags: ParsedFlags = { bools: new Map(), strings: new Map(), arrays: new Map() };
  const positionals: string[] = [];

  const assign = (spec: FlagSpec, value: string, display: string) => {
    if (spec.kind === "bool") {
      if (value !== "true" && value !== "false") throw new CliUsageError(`invalid argument "${value}" for "${display}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
      flags.bools.set(spec.name, value === "true");
    } else if (spec.kind === "string") {
      flags.strings.set(spec.name, value);
    } else {
      flags.arrays.set(spec.name, [...(flags.arrays.get(spec.name) ?? []), value]);
    }
  };

  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--") {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const body = arg.slice(2);
      const equals = body.indexOf("=");
      const name = equals >= 0 ? body.slice(0, equals) : body;
      const spec = byName.get(name);
      if (!spec) throw new CliUsageError(`unknown flag: --${name}`);
      const display = spec.shorthand ? `-${spec.shorthand}, --${spec.name}` : `--${spec.name}`;
      if (equals >= 0) assign(spec, body.slice(equals + 1), display);
      else if (spec.kind === "bool") assign(spec, "true", display);
      else if (index + 1 < args.length) assign(spec, args[++index], display);
      else throw new CliUsageError(`flag needs an argument: --${name}`);
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A group of shorthands (-ab) where the last may take a value (-nvalue, -n value, -n=value).
      for (let position = 1; position < arg.length; position++) {
        const letter = arg[position];
        const spec = byShorthand.get(letter);
        if (!spec) throw new CliUsageError(`unknown shorthand flag: '${letter}' in ${arg}`);
        const display = `-${letter}, --${spec.name}`;
        const rest = arg.slice(position + 1);
        if (spec.kind === "bool") {
          if (rest.startsWith("=")) {
            assign(spec, rest.slice(1), display);
            break;
          }
          assign(spec, "true", display);
          continue;
        }
        if (rest.length > 0) assign(spec, rest.startsWith("=") ? rest.slice(1) : rest, display);
        else if (index + 1 < args.length) assign(spec, args[++index], display);
        else throw new CliUsageError(`flag needs an argument: '${letter}' in -${letter}`);
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { flags, positionals };
}

/**
 * Finds the (sub)command path like cobra does: the leading non-flag words, skipping the values
 * of global flags that take one.
 */
export function splitCommand(args: string[], depth: (path: string[]) => boolean): { path: string[]; rest: string[] } {
  const valueFlags = new Set(GLOBAL_FLAGS.filter((flag) => flag.kind !== "bool").flatMap((flag) => [`--${flag.name}`, ...(flag.shorthand ? [`-${flag.shorthand}`] : [])]));
  const path: string[] = [];
  const rest: string[] = [];
  let isSearching = true;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index];
    if (arg === "--") {
      rest.push(...args.slice(index));
      break;
    }
    if (arg.startsWith("-")) {
      rest.push(arg);
      if (valueFlags.has(arg) && index + 1 < args.length) rest.push(args[++index]);
      continue;
    }
    if (isSearching && depth([...path, arg])) path.push(arg);
    else {
      isSearching = false;
      rest.push(arg);
    }
  }
  return { path, rest };
}
