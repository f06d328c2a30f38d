/**
 * The HiGHS MILP solver (WebAssembly). The runtime is instantiated once per process (or
 * worker): instantiation costs tens of milliseconds and the WASM heap never shrinks.
 * Every model created from it must be disposed (`using`, `withModel` or `dispose()`).
 */
import highsLoader, { type Highs } from "highs";

let highsRuntime: Promise<Highs> | undefined;

export function loadHighs(): Promise<Highs> {
  highsRuntime ??= highsLoader();
  return highsRuntime;
}

export type { Highs };
