import type { CliCommand } from "../io";
import { scalingCommands } from "./scaling";
import { hdagCommands } from "./hdag";
import { placementCommands } from "./placement";
import { loginCommands } from "./login";
import { tokenCommands } from "./token";
import { clusterCommands } from "./cluster";
import { graphCommands } from "./graph";
import { eventsCommands } from "./events";
import { scalerCommands } from "./scaler";

/** Every command of the `smo` CLI; each area's module adds its own entries here. */
export const commands: CliCommand[] = [...scalingCommands, ...hdagCommands, ...placementCommands, ...loginCommands, ...tokenCommands, ...clusterCommands, ...graphCommands, ...eventsCommands, ...scalerCommands];
