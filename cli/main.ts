#!/usr/bin/env node
/**
 * The `smo` command. Offline commands work on files through lib/; online ones are tRPC
 * clients of a running console. Each command lives in cli/commands/<area>.ts.
 */
import { text } from "node:stream/consumers";
import { createInterface } from "node:readline/promises";
import { EXIT_FAILED, EXIT_USAGE, UsageError, type CliCommand, type CliIo } from "./io";
import { commands } from "./commands";

function helpText(all: CliCommand[]): string {
  const width = Math.max(...all.map((command) => command.usage.length));
  return ["Usage: smo <command> [options]", "", ...all.map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`), ""].join("\n");
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    io.stdout(helpText(commands));
    return argv.length === 0 ? EXIT_USAGE : 0;
  }
  // The longest command name that prefixes the arguments wins ("graph deploy" over "graph").
  const match = [...commands]
    .sort((a, b) => b.name.split(" ").length - a.name.split(" ").length)
    .find((command) => {
      const words = command.name.split(" ");
      return words.every((word, index) => argv[index] === word);
    });
  if (!match) {
    io.stderr(`smo: unknown command "${argv.slice(0, 2).join(" ")}"; run "smo --help" for the list\n`);
    return EXIT_USAGE;
  }
  const rest = argv.slice(match.name.split(" ").length);
  if (rest.includes("--help") || rest.includes("-h")) {
    io.stdout(`Usage: smo ${match.usage}\n\n${match.summary}\n`);
    return 0;
  }
  try {
    return await match.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`smo ${match.name}: ${error.message}\nUsage: smo ${match.usage}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`smo ${match.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
}

const isEntryPoint = process.argv[1] !== undefined && /cli[/\\]main\.ts$/.test(process.argv[1]);
if (isEntryPoint) {
  const interrupted = new AbortController();
  process.once("SIGINT", () => {
    interrupted.abort();
    // Commands that watch the signal end within a poll; any other is stopped as Ctrl-C would have.
    setTimeout(() => process.exit(130), 1_000).unref();
  });
  const io: CliIo = {
    stdout: (output) => process.stdout.write(output),
    stderr: (output) => process.stderr.write(output),
    readStdin: () => text(process.stdin),
    isTTY: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    ask: async (question) => {
      const terminal = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await terminal.question(question);
      } finally {
        terminal.close();
      }
    },
    signal: interrupted.signal,
  };
  runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
