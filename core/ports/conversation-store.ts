/** A Teams conversation the bot was installed in, captured from the install activity. */
export interface ConversationRecord {
  /** Stable, readable key routing rules name: `channel:{team}/{channel}`, `chat:{id}`, `personal:{aadObjectId}`. */
  readonly key: string;
  readonly kind: 'personal' | 'groupChat' | 'channel';
  readonly name: string;
  readonly conversationId: string;
  readonly serviceUrl: string;
  readonly tenantId: string | undefined;
  /** The SDK's conversation reference as JSON, kept whole for proactive messages. */
  readonly reference: string;
  readonly status: 'active' | 'notInRoster' | 'writesBlocked' | 'uninstalled';
  readonly updatedAt: string;
}

export interface ConversationStore {
  save(record: ConversationRecord): Promise<void>;
  get(key: string): Promise<ConversationRecord | undefined>;
  list(): Promise<readonly ConversationRecord[]>;
  setStatus(key: string, status: ConversationRecord['status'], at: Date): Promise<void>;
}
