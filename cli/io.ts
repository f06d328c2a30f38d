/** What a CLI command may touch: its arguments, output streams and the file system through node. */
export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Everything piped to the command (e.g. `smo login --password-stdin`); read only by commands that need it. */
  readStdin?: () => Promise<string>;
  /** Whether a person is at the terminal: confirmations are asked only then. */
  isTTY?: boolean;
  /** Asks one question on the terminal and returns the answer line. */
  ask?: (question: string) => Promise<string>;
  /** Aborted on Ctrl-C; long-running commands (`smo events --follow`) stop when it fires. */
  signal?: AbortSignal;
};

/** A command returns its exit code: 0 success, 1 the input was rejected or the action failed, 2 usage error. */
export type CliCommand = {
  /** e.g. "hdag validate" */
  name: string;
  usage: string;
  summary: string;
  run: (args: string[], io: CliIo) => Promise<number>;
};

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

/** Renders rows as an aligned text table for people; scripts use --json. */
export function formatTable(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  return cells.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd()).join("\n") + "\n";
}

/** Reads a file named on the command line; the error names the file. */
export async function readInputFile(file: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
