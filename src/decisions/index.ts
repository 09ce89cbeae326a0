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

  return {
    check,
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
