import { NotFoundError } from '../../core/errors.js';
import type { ConversationRecord, ConversationStore } from '../../core/ports/conversation-store.js';

/**
 * ConversationStore kept in memory, with the table store's rules: `save` replaces the record,
 * `setStatus` of an unknown key is a NotFoundError and a status change older than the stored
 * `updatedAt` is skipped (a late "writes blocked" must not undo a reinstall), `list` is by name.
 */
export class InMemoryConversationStore implements ConversationStore {
  private readonly records = new Map<string, ConversationRecord>();
  /** Makes the next save throw, to simulate an outage at that point. */
  failNextSave: Error | undefined;

  save(record: ConversationRecord): Promise<void> {
    if (this.failNextSave !== undefined) {
      const failure = this.failNextSave;
      this.failNextSave = undefined;
      return Promise.reject(failure);
    }
    this.records.set(record.key, { ...record });
    return Promise.resolve();
  }

  get(key: string): Promise<ConversationRecord | undefined> {
    const record = this.records.get(key);
    return Promise.resolve(record === undefined ? undefined : { ...record });
  }

  list(): Promise<readonly ConversationRecord[]> {
    return Promise.resolve(
      [...this.records.values()]
        .sort((a, b) => a.name.localeCompare(b.name, 'en') || (a.key < b.key ? -1 : 1))
        .map((r) => ({ ...r })),
    );
  }

  setStatus(key: string, status: ConversationRecord['status'], at: Date): Promise<void> {
    const record = this.records.get(key);
    if (record === undefined) return Promise.reject(new NotFoundError('Conversation', key));
    if (Date.parse(record.updatedAt) > at.getTime()) return Promise.resolve();
    this.records.set(key, { ...record, status, updatedAt: at.toISOString() });
    return Promise.resolve();
  }
}
