import { createBotAdapter } from '../bot/bot-adapter.js';
import type { RestoreRequest, RestoreResult } from '../core/use-cases/restore-preserved.js';
import {
  type BotAdapter,
  type BotHttpAnswer,
  type BotHttpRequest,
  processBotRequest,
} from '../bot/bot-request.js';
import { LightdeskBot } from '../bot/lightdesk-bot.js';
import type { AuditLog } from '../core/ports/audit-log.js';
import type { ChatNotifier } from '../core/ports/chat-notifier.js';
import type { Clock } from '../core/ports/clock.js';
import type { ConversationStore } from '../core/ports/conversation-store.js';
import type { EventQueue } from '../core/ports/event-queue.js';
import type { Logger } from '../core/ports/logger.js';
import type { ReviewCards } from '../core/ports/review-cards.js';
import type { ReviewStore } from '../core/ports/review-store.js';
import type { TaskBoard } from '../core/ports/task-board.js';
import { BotChatNotifier } from '../connectors/teams/bot-chat-notifier.js';
import type { BotEndpoint } from '../functions/messages.js';
import type { BotConfig } from './bot-config.js';
import { RecentReviewsCache } from './recent-reviews.js';

/** What the bot works with; a `Services` object with these fields will do. */
export interface BotServices {
  readonly reviews: ReviewStore;
  readonly conversations: ConversationStore;
  readonly cards: ReviewCards;
  readonly queue: EventQueue;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** For the task link on cards (`taskUrl` builds it without calling Planner). */
  readonly board?: Pick<TaskBoard, 'taskUrl'>;
  /** Roster lookups for invoke answers; default: the notifier built here. */
  readonly chat?: Pick<ChatNotifier, 'memberIds'>;
  /** The `restore` command (restore-preserved.ts); undefined without Preservica. */
  readonly restorePreserved?: ((request: RestoreRequest) => Promise<RestoreResult>) | undefined;
}

export interface CreateBotOptions {
  readonly botConfig: BotConfig;
  readonly services: BotServices;
}

export interface CreatedBot extends BotEndpoint {
  readonly adapter: BotAdapter;
  readonly bot: LightdeskBot;
  /** The ChatNotifier for syncReview: posts and updates cards through this adapter. */
  readonly notifier: BotChatNotifier;
  /** One /api/messages request, already read (what `functions/messages.ts` hands over). */
  process(request: BotHttpRequest): Promise<BotHttpAnswer>;
}

/** Builds the adapter (bot/bot-adapter.ts), the bot and the Teams ChatNotifier. */
export function createBot(options: CreateBotOptions): CreatedBot {
  const { botConfig, services } = options;
  const logger = services.logger.child('bot');
  const adapter = createBotAdapter(botConfig, logger);
  const notifier = new BotChatNotifier({
    adapter,
    appId: botConfig.appId ?? '',
    conversations: services.conversations,
    clock: services.clock,
    logger: services.logger,
  });
  const bot = new LightdeskBot({
    ...services,
    // Presses usually follow the card's Refresh by moments; the bot keeps what it read for them.
    reviews: new RecentReviewsCache(services.reviews, { clock: services.clock }),
    chat: services.chat ?? notifier,
    allowedTenantIds: botConfig.tenantId === undefined ? [] : [botConfig.tenantId],
  });

  const httpLogger = logger.child('http');
  const process = (request: BotHttpRequest) =>
    processBotRequest(adapter, (context) => bot.run(context), request, httpLogger);
  return { adapter, bot, notifier, process };
}
