import type { CliCommand } from "../io";
import { scalingCommands } from "./scaling";
import { hdagCommands } from "./hdag";
import { placementCommands } from "./placement";

/** Every command of the `smo` CLI; each area's module adds its own entries here. */
export const commands: CliCommand[] = [...scalingCommands, ...hdagCommands, ...placementCommands];
