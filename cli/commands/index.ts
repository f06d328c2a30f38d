import type { CliCommand } from "../io";

/** Every command of the `smo` CLI; each area's module adds its own entries here. */
export const commands: CliCommand[] = [];
