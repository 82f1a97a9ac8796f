export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Structured logging; names are namespaced (`photoshelter`, `poll`). Never pass secrets or tokens. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(name: string): Logger;
}
