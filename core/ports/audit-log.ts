/** An append-only trail of what Lightdesk saw and did, newest first when read. */
export interface AuditEntry {
  readonly at: string;
  readonly kind: string;
  readonly subject: string;
  readonly summary: string;
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
  /**
   * Set when the same entry may be appended again (a queue message delivered twice): an append
   * whose key is already in the trail is dropped.
   */
  readonly key?: string;
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>;
  recent(limit: number): Promise<readonly AuditEntry[]>;
}
