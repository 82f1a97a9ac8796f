/** An append-only trail of what Lightdesk saw and did, newest first when read. */
export interface AuditEntry {
  readonly at: string;
  readonly kind: string;
  readonly subject: string;
  readonly summary: string;
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  recent(limit: number): Promise<readonly AuditEntry[]>;
}
