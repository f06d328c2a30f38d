import pino from "pino";

/** Structured JSON logger; core functions receive one through their context. */
export type Logger = pino.Logger;

export type LoggerOptions = { level?: string; name?: string; destination?: pino.DestinationStream };

export function createLogger(options: LoggerOptions = {}): Logger {
  const base = { level: options.level ?? process.env.LOG_LEVEL ?? "info", name: options.name ?? "smo" };
  return options.destination ? pino(base, options.destination) : pino(base);
}

/** A logger that drops everything: for tests and offline CLI commands that print their own output. */
export function createSilentLogger(): Logger {
  return pino({ level: "silent" });
}
