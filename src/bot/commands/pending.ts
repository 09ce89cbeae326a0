import { CardFactory, TurnContext } from 'botbuilder';
import { itemKey } from '../../domain';
import type { AccessReviewPending } from '../../domain';
import { byUrgencyOrder, renderSummaryCard } from '../../cards';
import type { AdaptiveCard, ReviewBatch } from '../../cards';
import { message } from '../../messages';
import { bulkCopyKey, reviewBatches } from '../../notify';
import type { CardCopy, StoredItem } from '../../store';
import { actingUser } from '../actions';
import { scopeOf, viewerOf } from '../scope';
import { submitOnlyFor } from '../views';
import type { CommandDeps } from './types';

function attachment(card: AdaptiveCard) {
  return { attachments: [CardFactory.adaptiveCard(card)] };
}

/**
 * Reads what waits on the user in Graph, as the user, and posts a card for each item this chat does not
 * already show (most urgent first), or one summary when there are many.
 */
export async function deliverPending(
  context: TurnContext,
  deps: CommandDeps,
  options: { quietWhenEmpty: boolean },
): Promise<void> {
  const user = actingUser(context.activity);
  if (!user) return;
  const token = await deps.tokens.getToken(user, context);
  if (token.kind !== 'token') {
    await deps.tokens.sendSignInCard(context);
    return;
  }
  const discovery = await deps.governance
    .asUser({ token: token.token, userId: user.aadObjectId })
    .discoverPending();
  const stored: StoredItem[] = [];
  for (const item of discovery.items) stored.push(await deps.store.putItem(item, user.aadObjectId));
  // Discovery watches these from now on, so a card shown here is updated when decided elsewhere.
  await deps.notifier.observed(
    user.aadObjectId,
    stored.map((s) => s.key),
  );
  const open = stored.filter((s) => !s.final);

  if (open.length === 0 && discovery.problems.length === 0) {
    if (!options.quietWhenEmpty) await context.sendActivity(message('approvals.bot.nothingPending'));
    return;
  }
  // What already has a card in this chat is not posted again: the chat holds it, and a second copy
  // would only be one more card to keep up to date.
  const here = context.activity.conversation.id;
  const unseen: StoredItem[] = [];
  for (const s of open) {
    const copies = await deps.store.copiesOf(s.key);
    if (!copies.some((c) => c.conversationId === here)) unseen.push(s);
  }
  // Several items of one review come as one card, to decide them together.
  const batches = reviewBatches(unseen);
  const batched = new Set(batches.flatMap((b) => b.items.map((i) => itemKey(i.target))));
  const fresh: ReviewBatch[] = [];
  for (const batch of batches)
    if (!(await deps.store.copiesOf(bulkCopyKey(batch.target))).some((c) => c.conversationId === here))
      fresh.push(batch);
  const posted = fresh.reduce((n, b) => n + b.items.length, 0);
  for (let i = unseen.length - 1; i >= 0; i--) if (batched.has(unseen[i]?.key ?? '')) unseen.splice(i, 1);
  const nothingNew = unseen.length === 0 && posted === 0;
  const max = deps.cards.pendingSummaryThreshold;
  const summary = {
    max,
    now: deps.now(),
    timeZone: deps.cards.timeZone,
    cloud: deps.cards.cloud,
    // "pending" answers in a personal chat.
    submitOnly: submitOnlyFor(deps.cards, false),
  };
  const shown = open.length - unseen.length - posted;
  if (open.length > max || nothingNew) {
    // Many items, or all of them already here: one summary, most urgent first.
    await context.sendActivity(
      attachment(
        renderSummaryCard(
          open.map((s) => s.item),
          summary,
        ),
      ),
    );
  }
  // One order for everything posted: a review's card by its items' due date, among the single cards.
  const single = new Map(unseen.map((s) => [s.key, s] as const));
  const bulk = new Map(fresh.map((b) => [itemKey(b.target), b] as const));
  const postable = [...unseen.map((s) => s.item), ...fresh.map((b) => b.items[0] as AccessReviewPending)];
  let singles = 0;
  for (const item of byUrgencyOrder(postable, summary)) {
    const key = itemKey(item.target);
    const batch = bulk.get(key);
    const s = single.get(key);
    if (batch) {
      const sent = await context.sendActivity(
        attachment(deps.views.reviewBulkCard(batch, { kind: 'offer' }, false)),
      );
      if (sent?.id) await recordCopy(context, deps, bulkCopyKey(batch.target), sent.id);
    } else if (s && singles++ < max) {
      await sendItemCard(context, deps, s);
    }
  }
  if (shown > 0) {
    await context.sendActivity(
      nothingNew
        ? message('approvals.bot.allShown', { count: open.length })
        : message('approvals.bot.someShown', {
            count: shown,
            verb: shown === 1 ? 'has a card' : 'have cards',
            them: shown === 1 ? 'it' : 'them',
          }),
    );
  }
  if (discovery.problems.length > 0) {
    const sources = [...new Set(discovery.problems.map((p) => p.source))].join(', ');
    await context.sendActivity(message('approvals.bot.partialDiscovery', { sources }));
  }
}

async function sendItemCard(context: TurnContext, deps: CommandDeps, stored: StoredItem): Promise<void> {
  const card = deps.views.forViewer(
    stored,
    viewerOf(context.activity),
    await deps.refreshUsers(stored, context.activity),
  );
  const sent = await context.sendActivity(attachment(card));
  if (sent?.id) await recordCopy(context, deps, stored.key, sent.id);
}

async function recordCopy(
  context: TurnContext,
  deps: CommandDeps,
  key: string,
  activityId: string,
): Promise<void> {
  const scope = scopeOf(context.activity);
  const reference = TurnContext.getConversationReference(context.activity);
  const copy: CardCopy = {
    itemKey: key,
    conversationId: context.activity.conversation.id,
    activityId,
    scope,
    recipientId: scope === 'personal' ? (context.activity.from?.aadObjectId?.toLowerCase() ?? null) : null,
    reference: JSON.parse(JSON.stringify(reference)) as Record<string, unknown>,
    sentAt: deps.now().toISOString(),
  };
  await deps.store.addCopy(copy);
}
