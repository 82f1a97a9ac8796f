import type { AuditEntry, AuditLog } from '../../core/ports/audit-log.js';

export class InMemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];

  append(entry: AuditEntry): Promise<void> {
    if (entry.key !== undefined && this.entries.some((e) => e.key === entry.key)) {
      return Promise.resolve();
    }
    this.entries.push(entry);
    return Promise.resolve();
  }

  recent(limit: number): Promise<readonly AuditEntry[]> {
    return Promise.resolve([...this.entries].reverse().slice(0, limit));
  }
}
