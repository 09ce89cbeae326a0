import type { UserGovernance } from '../graph';
import type { Decision, DecisionTarget, Outcome, PendingItem } from '../domain';
import { itemKey } from '../domain';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { FinalState } from '../domain';

/** One decision as a user asked for it; `graph` is already bound to that user's own token. */
export interface DecideCommand {
  readonly user: { readonly id: string; readonly name: string };
  readonly graph: UserGovernance;
  readonly target: DecisionTarget;
  readonly decision: Decision;
  readonly justification: string;
  /** The item as the card showed it, for the audit title; optional. */
  readonly item?: PendingItem | null;
}

export interface Decisions {
  /**
   * Decides once per (item, user, decision) however often it is asked (design rule 5): concurrent asks
   * share one Graph write, later asks get the settled answer.
   */
  decide(command: DecideCommand): Promise<Outcome>;
}

export interface DecisionsDeps {
  readonly store: Store;
  readonly log: Logger;
  readonly now?: () => Date;
  /** How long a settled answer is replayed to repeated clicks. */
  readonly settledTtlMs?: number;
}

/** Outcomes that will not change if asked again; transient ones are not replayed so a retry can succeed. */
const SETTLED: ReadonlySet<Outcome['kind']> = new Set([
  'recorded',
  'alreadyDecided',
  'notFound',
  'reviewClosed',
]);

const VERB: Readonly<Record<Decision, string>> = {
  Approve: 'Approved',
  Deny: 'Denied',
  DontKnow: "Marked don't know",
  NotReviewed: 'Reset',
};

function finalState(outcome: Outcome, command: DecideCommand, now: Date): FinalState | null {
  switch (outcome.kind) {
    case 'recorded':
      if (command.target.kind === 'accessReview' && command.decision === 'NotReviewed') return null;
      return {
        result:
          command.decision === 'Approve' ? 'Approved' : command.decision === 'Deny' ? 'Denied' : 'DontKnow',
        by: { id: command.user.id, displayName: command.user.name },
        at: now.toISOString(),
      };
    case 'alreadyDecided':
      return outcome.result === 'NotReviewed'
        ? null
        : { result: outcome.result, by: outcome.by, at: outcome.at };
    case 'notFound':
      return { result: 'gone', by: null, at: null };
    case 'reviewClosed':
      return { result: 'closed', by: null, at: null };
    default:
      return null;
  }
}

export function createDecisions(deps: DecisionsDeps): Decisions {
  const now = deps.now ?? (() => new Date());
  const ttl = deps.settledTtlMs ?? 15 * 60_000;
  const inFlight = new Map<string, Promise<Outcome>>();

  async function run(key: string, command: DecideCommand): Promise<Outcome> {
    const justification =
      command.justification.trim() !== ''
        ? command.justification
        : `${VERB[command.decision]} in Microsoft Teams by ${command.user.name}`;
    const outcome = await command.graph.decide({
      target: command.target,
      decision: command.decision,
      justification,
    });
    const at = now();
    deps.log.info(
      {
        itemKey: key,
        userId: command.user.id,
        decision: command.decision,
        outcome: outcome.kind,
        requestId: outcome.requestId,
      },
      'decision attempt',
    );
    await deps.store.appendAudit({
      at: at.toISOString(),
      userId: command.user.id,
      userName: command.user.name,
      itemKey: itemKey(command.target),
      kind: command.target.kind,
      title: command.item ? titleOf(command.item) : itemKey(command.target),
      decision: command.decision,
      outcome: outcome.kind,
      requestId: outcome.requestId,
      justificationLength: command.justification.length,
    });
    const final = finalState(outcome, command, at);
    if (final) await deps.store.finishItem(itemKey(command.target), final);
    return outcome;
  }

  async function once(key: string, command: DecideCommand): Promise<Outcome> {
    // Settled answers are kept in the store, so a retry after a restart is answered the same way.
    const recalled = await deps.store.recalledDecision(key, Date.now());
    if (recalled) return recalled;
    const outcome = await run(key, command);
    if (SETTLED.has(outcome.kind)) await deps.store.rememberDecision(key, outcome, Date.now() + ttl);
    return outcome;
  }

  return {
    decide(command) {
      const key = `${itemKey(command.target)}|${command.user.id.toLowerCase()}|${command.decision}`;
      const running = inFlight.get(key);
      if (running) return running;
      const promise = once(key, command).finally(() => inFlight.delete(key));
      inFlight.set(key, promise);
      return promise;
    },
  };
}

function titleOf(item: PendingItem): string {
  switch (item.kind) {
    case 'accessPackage':
      return `${item.requestor.displayName}: ${item.accessPackage.displayName}`;
    case 'pimGroup':
      return `${item.principal.displayName}: ${item.accessId} of ${item.group.displayName}`;
    case 'pimRole':
      return `${item.principal.displayName}: ${item.role.displayName}`;
    case 'accessReview':
      return `${item.reviewName}: ${item.principal.displayName}`;
  }
}
