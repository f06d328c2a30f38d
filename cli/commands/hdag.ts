/** `smo hdag validate FILE [--json]`: checks a descriptor offline, with the same parser the console uses. */
import { parseArgs } from "node:util";
import { NotFoundError, ValidationError } from "../../lib/errors";
import { formatHdagIssues, loadHdagFile, summarizeHdagServices, type Hdag } from "../../lib/hdag";
import { EXIT_FAILED, EXIT_OK, formatTable, UsageError, type CliCommand, type CliIo } from "../io";

async function validateHdag(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = readArguments(args);
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "give the descriptor file to validate" : "give exactly one descriptor file");
  const file = positionals[0]!;
  let hdag: Hdag;
  try {
    hdag = await loadHdagFile(file);
  } catch (error) {
    if (error instanceof NotFoundError) {
      io.stderr(`smo hdag validate: ${file}: no such file\n`);
      return EXIT_FAILED;
    }
    if (!(error instanceof ValidationError)) {
      io.stderr(`smo hdag validate: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      return EXIT_FAILED;
    }
    if (values.json) io.stdout(`${JSON.stringify({ valid: false, issues: error.issues }, null, 2)}\n`);
    else io.stderr(`${formatHdagIssues(error.issues)}\n`);
    return EXIT_FAILED;
  }

  if (values.json) {
    // The verbatim descriptor is the file itself; scripts get the normalised graph.
    const { raw: _raw, ...graph } = hdag;
    io.stdout(`${JSON.stringify({ valid: true, graph }, null, 2)}\n`);
    return EXIT_OK;
  }
  const rows = summarizeHdagServices(hdag).map((service) => [
    service.id,
    service.trigger,
    service.cpu,
    service.ram,
    service.gpu,
    service.connections,
    service.spread,
  ]);
  const count = hdag.services.length;
  io.stdout(`${file}: graph ${hdag.id}${hdag.version ? ` ${hdag.version}` : ""} is valid, ${count} service${count === 1 ? "" : "s"}\n\n`);
  io.stdout(formatTable(["SERVICE", "TRIGGER", "CPU", "RAM", "GPU", "CONNECTS TO", "CLUSTERS"], rows));
  return EXIT_OK;
}

function readArguments(args: string[]) {
  try {
    return parseArgs({ args, options: { json: { type: "boolean", default: false } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export const hdagCommands: CliCommand[] = [
  {
    name: "hdag validate",
    usage: "hdag validate FILE [--json]",
    summary: "Check an HDAG descriptor (YAML or JSON) and show its services, or every problem with its path",
    run: validateHdag,
  },
];
