import type { FilterByCurrentUserExpand, NonApproverRead, ReviewResultForm, SandboxOptions } from './types';

/** Wordings for the 400 of a stage that requires an approver justification; the real one is undocumented. */
export const APPROVER_JUSTIFICATION_MESSAGES = Object.freeze({
  default: 'An approver justification is required for this stage.',
  /** No "justification" in it: clients must not rely on the message text (graph-contract.md §5.1). */
  terse: 'The decision could not be recorded: a required field is missing for this approval stage.',
});

/** How the sandbox answers where Graph's answer is undocumented or varies; fixed for a sandbox's life. */
export interface Behaviour {
  readonly form: ReviewResultForm;
  readonly nonApproverRead: NonApproverRead;
  readonly approverJustificationMessage: string;
  readonly filterByCurrentUserExpand: FilterByCurrentUserExpand;
}

export function behaviourOf(options: SandboxOptions): Behaviour {
  const message = options.approverJustificationMessage ?? APPROVER_JUSTIFICATION_MESSAGES.default;
  if (message.trim() === '') throw new Error('sandbox: approverJustificationMessage must not be blank');
  return {
    form: options.reviewResultForm ?? 'verb',
    nonApproverRead: options.nonApproverRead ?? 'forbidden',
    approverJustificationMessage: message,
    filterByCurrentUserExpand: options.filterByCurrentUserExpand ?? 'honoured',
  };
}

/** A lag must be a finite, non-negative number of milliseconds. */
export function checkLag(value: number | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`sandbox: ${where} must be a non-negative number of milliseconds`);
  return value;
}
