import type { LogFields, Logger } from '../../core/ports/logger.js';

export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly logger: string;
  readonly message: string;
  readonly fields: LogFields;
}

export class RecordingLogger implements Logger {
  constructor(
    private readonly name = 'test',
    readonly records: LogRecord[] = [],
  ) {}

  debug(message: string, fields: LogFields = {}): void {
    this.records.push({ level: 'debug', logger: this.name, message, fields });
  }

  info(message: string, fields: LogFields = {}): void {
    this.records.push({ level: 'info', logger: this.name, message, fields });
  }

  warn(message: string, fields: LogFields = {}): void {
    this.records.push({ level: 'warn', logger: this.name, message, fields });
  }

  error(message: string, fields: LogFields = {}): void {
    this.records.push({ level: 'error', logger: this.name, message, fields });
  }

  child(name: string): Logger {
    return new RecordingLogger(`${this.name}.${name}`, this.records);
  }

  /** Every line as text, for asserting that no secret was ever written. */
  text(): string {
    return this.records.map((r) => `${r.message} ${JSON.stringify(r.fields)}`).join('\n');
  }
}
