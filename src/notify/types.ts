import type { UserGovernance } from '../graph';
import type { AdaptiveCard, RequesterNotice, ReviewBatch } from '../cards';
import type { StoredItem, StoredReference } from '../store';
import type { FinalState } from '../domain';
import type { PendingItem } from '../domain';

/** A conversation reference as the store keeps it: botbuilder's ConversationReference, as opaque JSON. */
export type ReferenceJson = Readonly<Record<string, unknown>>;

// ---- Delivery (the port to Teams) ----

/**
 * Why Teams refused a send, update or create, as the outbox needs to know it:
 * - throttled: 429; wait `retryAfterMs` (null when Teams gave no Retry-After) and try again;
 * - transient: 412, 502, 503, 504, a timeout or a dropped connection; back off and try again;
 * - conversationNotFound: the 1:1 was deleted ("Remove chat history"); create it again;
 * - blocked: 403 MessageWritesBlocked (the user blocked or uninstalled the bot); stop sending to them;
 * - messageNotFound: the message to update is gone; nothing left to update;
 * - rejected: any other refusal (400, 401, other 403s); trying again would not help.
 */
export type DeliveryFailure =
  | { readonly kind: 'throttled'; readonly retryAfterMs: number | null; readonly detail: string }
  | { readonly kind: 'transient'; readonly status: number | null; readonly detail: string }
  | { readonly kind: 'conversationNotFound'; readonly detail: string }
  | { readonly kind: 'blocked'; readonly detail: string }
  | { readonly kind: 'messageNotFound'; readonly detail: string }
  | { readonly kind: 'rejected'; readonly status: number | null; readonly detail: string };

export type Delivered =
  | {
      readonly ok: true;
      /** The id Teams gave the message (for an update: the message updated). */
      readonly activityId: string;
      readonly conversationId: string;
    }
  | { readonly ok: false; readonly failure: DeliveryFailure };

export type Created =
  | { readonly ok: true; readonly conversationId: string; readonly reference: ReferenceJson }
  | { readonly ok: false; readonly failure: DeliveryFailure };

/**
 * How notify reaches Teams (implemented with botbuilder's CloudAdapter in src/bot/teams-delivery.ts; by
 * doubles in tests). Every method makes one request to the Bot Connector and never retries: retries,
 * Retry-After and rate limits belong to the outbox worker. Failures are values, not exceptions.
 */
export interface TeamsDelivery {
  /** Posts a new message with the card to the referenced conversation (a channel gets a new thread). */
  send(reference: ReferenceJson, card: AdaptiveCard): Promise<Delivered>;
  /** Replaces the card in a message the bot sent earlier. */
  update(reference: ReferenceJson, activityId: string, card: AdaptiveCard): Promise<Delivered>;
  /**
   * Opens a 1:1 chat with the reference's user (who has the app: personally or through a team), or opens it
   * again after it was deleted. `reference` carries the user (29:… id), the bot, the tenant and serviceUrl.
   */
  createPersonal(reference: ReferenceJson): Promise<Created>;
}

// ---- Approvers' Graph access ----

/**
 * Graph as one approver, for discovery. The token is looked up when `work` starts and used only inside it
 * (design rule 1). Production asks the token service in a proactive turn on the approver's reference; local
 * mode mints a sandbox token.
 */
export interface ApproverAccess {
  /** `work`'s result, or null when this approver has no token (not signed in). */
  withGraph<T>(reference: StoredReference, work: (graph: UserGovernance) => Promise<T>): Promise<T | null>;
}

// ---- Cards ----

/** The cards notify posts, rendered the way the bot renders them (src/bot/views.ts). */
export interface NotifyCards {
  /** The card for a pending item; `canAct` shows the buttons (a channel's card always does). */
  item(
    stored: StoredItem,
    options: {
      readonly canAct: boolean;
      readonly refreshUserIds: readonly string[];
      /** For a channel or group chat, where several people see the card; false for a personal chat. */
      readonly shared: boolean;
      readonly prompt?: string;
    },
  ): AdaptiveCard;
  /** The final state as `viewerId` (Entra object id; null for a channel) should read it. */
  final(stored: StoredItem, final: FinalState, viewerId: string | null): AdaptiveCard;
  /** Counts by kind, the `max` most urgent, and links to see them all. */
  digest(items: readonly PendingItem[], max: number): AdaptiveCard;
  /** The same items, most urgent first (the order the digest lists them). */
  urgentFirst(items: readonly PendingItem[]): readonly PendingItem[];
  /** One card for the items of one access review waiting on the recipient, to decide them together. */
  reviewBulk(batch: ReviewBatch): AdaptiveCard;
  /** What a requester is told when an approver decides their request through the bot. */
  notice(notice: RequesterNotice): AdaptiveCard;
}
