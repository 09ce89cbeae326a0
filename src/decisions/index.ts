import { createHash } from 'node:crypto';
import type { Decision, FinalState, Outcome, PendingItem } from '../domain';
import { cleanJustification, itemKey, kindOf, MAX_JUSTIFICATION_LENGTH, normalizeResult } from '../domain';
import { measure, traced } from '../telemetry';
import type { UserGovernance } from '../graph';
import type { Logger } from '../log';
import type { Store } from '../store';

/**
 * The decide use case: one Graph write per (item, user, decision, words), as the user, on the stored item,
 * with only the user's own words; then the item's end recorded as Graph shows it and every copy of its
 * card updated. No botbuilder, no restify, no TurnContext.
 */

/** One decision as a user asked for it; `graph` is already bound to that user's own token. */
export interface DecideCommand {
  readonly user: { readonly id: string; readonly name: string };
  readonly graph: UserGovernance;
  /** The item as the store holds it: the write's ids come from here, never from card data. */
  readonly item: PendingItem;
  readonly decision: Decision;
  /** As the user typed it. */
  readonly justification: string;
}

export interface Decided {
  /** The answer for the person who pressed. */
  readonly outcome: Outcome;
  /**
   * What follows the answer, in the background: Graph's own facts read back (decider, time), the item's
   * end recorded, every copy of its card updated. Resolves when done; never rejects.
   */
  readonly settled: Promise<void>;
}

export interface Decisions {
  /** The refusal a decision gets before anything is sent to Graph, or null when it may be sent. */
  check(item: PendingItem, decision: Decision, justification: string): Outcome | null;
  /**
   * Decides once per (item, user, decision, justification) however often it is asked (design rule 5):
   * concurrent asks share one Graph write, later asks get the settled answer. A press with other words is
   * not a repeat.
   */
  decide(command: DecideCommand): Promise<Decided>;
  /**
   * Accepts the recommendations of one review for its reviewer with Graph's bulk call
   * (acceptRecommendations: a reviewer may make it; it takes no justification), then reads each item back
   * and records the end Graph shows, with an audit entry each. Answers one outcome per item, in order.
   */
  acceptRecommendations(command: BulkCommand): Promise<readonly Outcome[]>;
}

/** One reviewer's items of one review (instance, or stage of a multi-stage review). */
export interface BulkCommand {
  readonly user: { readonly id: string; readonly name: string };
  readonly graph: UserGovernance;
  readonly items: readonly Extract<PendingItem, { kind: 'accessReview' }>[];
}

export interface DecisionsDeps {
  readonly store: Store;
  readonly log: Logger;
  /** Every copy of this item's card is brought to its recorded state (the notifier's outbox). */
  readonly onFinal?: (itemKey: string) => Promise<void>;
  /** This approver's decision was recorded and its end is stored: the requester may be told. */
  readonly onRecorded?: (itemKey: string) => Promise<void>;
  /** How long a settled answer is replayed to repeated clicks. */
  readonly settledTtlMs?: number;
  /** Longest wait for the read that fetches Graph's facts after a write. */
  readonly readBackTimeoutMs?: number;
}

/** Outcomes that will not change if asked again; the rest are not replayed, so a retry can succeed. */
function settles(outcome: Outcome): boolean {
  return outcome.view === 'item';
}

/** A decision on an access review item may be changed while the review runs; an approval stage's may not. */
const changeable = (item: PendingItem): boolean => item.kind === 'accessReview';

const resolved = Promise.resolve();

/** Whose words the decision needs, before anything is sent. */
function needsWords(item: PendingItem, decision: Decision): 'review' | 'stage' | 'deny' | null {
  if (decision === 'NotReviewed') return null;
  if (item.kind === 'accessReview') {
    if (item.justificationRequired) return 'review';
  } else if (item.justificationRequired) return 'stage';
  return decision === 'Deny' ? 'deny' : null;
}

function wordsKey(justification: string): string {
  return justification === '' ? '-' : createHash('sha256').update(justification).digest('hex').slice(0, 16);
}

export function createDecisions(deps: DecisionsDeps): Decisions {
  const ttl = deps.settledTtlMs ?? 15 * 60_000;
  const readBackMs = deps.readBackTimeoutMs ?? 10_000;
  const inFlight = new Map<string, Promise<Decided>>();

  function check(item: PendingItem, decision: Decision, justification: string): Outcome | null {
    const cleaned = cleanJustification(justification);
    if (!cleaned.ok) {
      return {
        kind: 'invalid',
        view: 'caller',
        reachedGraph: false,
        problems: [
          `Your justification is ${cleaned.length.toLocaleString('en')} characters long; the limit is ${MAX_JUSTIFICATION_LENGTH.toLocaleString('en')}.`,
        ],
        requestId: null,
      };
    }
    const reason = needsWords(item, decision);
    if (reason && cleaned.value === '')
      return { kind: 'needsJustification', view: 'caller', reason, reachedGraph: false, requestId: null };
    return null;
  }

  /** The item's end as Graph showed it, recorded, and every copy of its card updated. */
  async function record(key: string, final: FinalState | null): Promise<void> {
    await deps.store.finishItem(key, final);
    await deps.onFinal?.(key);
  }

  /** Right after a 204: ask Graph when and as whom it recorded the decision, then record that. */
  async function readBack(command: DecideCommand, key: string, outcome: Outcome & { kind: 'recorded' }) {
    const read = await command.graph.readState(command.item.target, { timeoutMs: readBackMs });
    const state = read.state;
    const mine = state.kind === 'decided' && state.result === normalizeResult(outcome.decision);
    await record(key, {
      result: normalizeResult(outcome.decision) as FinalState['result'],
      // Graph's facts when the read gave them; otherwise who pressed (by id: a name Graph did not give is
      // never shown) and no time.
      by: mine ? state.by : { id: command.user.id, displayName: '' },
      at: mine ? state.at : null,
      justification: mine ? state.justification : outcome.justification,
      changeable: changeable(command.item),
    });
  }

  /** What follows the answer: the item's end recorded as Graph showed it (item view outcomes only). */
  async function settle(command: DecideCommand, key: string, outcome: Outcome): Promise<void> {
    switch (outcome.kind) {
      case 'recorded':
        if (outcome.decision === 'NotReviewed') return record(key, null);
        if (!outcome.reconciled) await readBack(command, key, outcome);
        else
          await record(key, {
            result: normalizeResult(outcome.decision) as FinalState['result'],
            by: outcome.by,
            at: outcome.at,
            justification: outcome.justification,
            changeable: changeable(command.item),
          });
        return deps.onRecorded?.(key);
      case 'alreadyDecided':
        if (outcome.view !== 'item' || outcome.result === null || outcome.result === 'NotReviewed') return;
        return record(key, {
          result: outcome.result,
          by: outcome.by,
          at: outcome.at,
          justification: outcome.justification,
          changeable: changeable(command.item),
        });
      case 'reviewClosed':
        return record(key, { result: 'closed', by: null, at: null, justification: null, changeable: false });
      case 'needsJustification':
        // Graph's 400 taught that this stage wants the approver's words: the card asks for them from now on.
        if (outcome.reachedGraph && command.item.kind !== 'accessReview')
          await deps.store.putItem({ ...command.item, justificationRequired: true }, null);
        return;
      default:
        // Only the caller's view: nothing about the item changes for anyone (docs/design.md).
        return;
    }
  }

  function run(dedupeKey: string, command: DecideCommand): Promise<Decided> {
    const attributes = { 'item.kind': command.item.kind, decision: command.decision };
    return traced('approvals.decide', attributes, async (span) => {
      const decided = await write(dedupeKey, command);
      span.setAttribute('outcome', decided.outcome.kind);
      measure().decisions.add(1, { ...attributes, outcome: decided.outcome.kind });
      return decided;
    });
  }

  async function write(dedupeKey: string, command: DecideCommand): Promise<Decided> {
    const key = itemKey(command.item.target);
    const justification = cleanJustification(command.justification);
    const words = justification.ok ? justification.value : '';
    const outcome = await command.graph.decide({
      target: command.item.target,
      decision: command.decision,
      justification: words,
    });
    deps.log.info(
      {
        itemKey: key,
        userId: command.user.id,
        decision: command.decision,
        outcome: outcome.kind,
        view: outcome.view,
        requestId: outcome.requestId,
      },
      'decision attempt',
    );
    await deps.store.appendAudit({
      at: new Date().toISOString(),
      userId: command.user.id,
      userName: command.user.name,
      itemKey: key,
      kind: command.item.kind,
      title: kindOf(command.item).auditTitle(command.item),
      decision: command.decision,
      outcome: outcome.kind,
      requestId: outcome.requestId,
      justificationLength: words.length,
    });
    if (settles(outcome)) await deps.store.rememberDecision(dedupeKey, outcome, Date.now() + ttl);
    const settled = settle(command, key, outcome).catch((error: unknown) =>
      deps.log.warn({ err: error, itemKey: key }, 'could not record how the item ended; discovery will'),
    );
    return { outcome, settled };
  }

  async function once(dedupeKey: string, command: DecideCommand): Promise<Decided> {
    // Settled answers are kept in the store, so a retry after a restart is answered the same way.
    const recalled = await deps.store.recalledDecision(dedupeKey, Date.now());
    if (recalled) return { outcome: recalled, settled: resolved };
    return run(dedupeKey, command);
  }

  async function acceptRecommendations(command: BulkCommand): Promise<readonly Outcome[]> {
    const first = command.items[0];
    if (!first) return [];
    const { definitionId, instanceId, stageId } = first.target;
    const bulk = await command.graph.acceptRecommendations({ definitionId, instanceId, stageId });
    deps.log.info({ items: command.items.length, outcome: bulk.kind }, 'accept recommendations');
    const outcomes: Outcome[] = [];
    for (const item of command.items) {
      const key = itemKey(item.target);
      const read = await command.graph.readState(item.target, { timeoutMs: readBackMs });
      const state = read.state;
      const recommended = item.recommendation === 'Approve' || item.recommendation === 'Deny';
      let outcome: Outcome;
      if (state.kind === 'decided' && state.result !== 'NotReviewed') {
        await record(key, {
          result: state.result,
          by: state.by,
          at: state.at,
          justification: state.justification || null,
          changeable: true,
        });
        outcome = {
          kind: 'recorded',
          view: 'item',
          decision: state.result === 'Approved' ? 'Approve' : state.result === 'Denied' ? 'Deny' : 'DontKnow',
          justification: state.justification,
          at: state.at,
          by: state.by,
          reconciled: true,
          requestId: read.requestId,
        };
      } else if (bulk.kind !== 'done') {
        // Graph refused the bulk call: its answer is each item's answer.
        outcome = bulk;
      } else {
        // Graph took the call but shows this item undecided: it had no recommendation to accept.
        outcome = recommended
          ? {
              kind: 'unavailable',
              view: 'caller',
              status: null,
              message: 'not decided yet',
              requestId: read.requestId,
            }
          : {
              kind: 'invalid',
              view: 'caller',
              reachedGraph: true,
              problems: ['No recommendation to accept.'],
              requestId: read.requestId,
            };
      }
      await deps.store.appendAudit({
        at: new Date().toISOString(),
        userId: command.user.id,
        userName: command.user.name,
        itemKey: key,
        kind: item.kind,
        title: kindOf(item).auditTitle(item),
        decision:
          outcome.kind === 'recorded'
            ? outcome.decision
            : recommended
              ? (item.recommendation as Decision)
              : 'NotReviewed',
        outcome: outcome.kind,
        requestId: outcome.requestId,
        justificationLength: 0,
      });
      outcomes.push(outcome);
    }
    return outcomes;
  }

  return {
    check,
    acceptRecommendations,
    decide(command) {
      const refused = check(command.item, command.decision, command.justification);
      if (refused) return Promise.resolve({ outcome: refused, settled: resolved });
      const cleaned = cleanJustification(command.justification);
      const words = cleaned.ok ? cleaned.value : '';
      const dedupeKey = [
        itemKey(command.item.target),
        command.user.id.toLowerCase(),
        command.decision,
        wordsKey(words),
      ].join('|');
      const running = inFlight.get(dedupeKey);
      if (running) return running;
      const promise = once(dedupeKey, command).finally(() => inFlight.delete(dedupeKey));
      inFlight.set(dedupeKey, promise);
      return promise;
    },
  };
}
