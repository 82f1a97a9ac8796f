import type { LogFields, Logger } from '../../core/ports/logger.js';
import { redactValue } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogSink = (line: string) => void;

/** One JSON object per line on stdout (or any sink), with secrets and signed URLs redacted. */
export class JsonLogger implements Logger {
  constructor(
    private readonly name: string,
    private readonly level: LogLevel = 'info',
    private readonly sink: LogSink = (line) => process.stdout.write(`${line}\n`),
  ) {}

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  child(name: string): Logger {
    return new JsonLogger(`${this.name}.${name}`, this.level, this.sink);
  }

  private write(level: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields): void {
    if (rank[level] < rank[this.level]) return;
    const safe: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields ?? {})) safe[key] = redactValue(key, value);
    this.sink(
      JSON.stringify({ at: new Date().toISOString(), level, logger: this.name, message, ...safe }),
    );
  }
}
