import type { FaultHandle, FaultRule, Faults } from './types';

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
  hits: number;
}

export interface FaultTarget {
  readonly method: string;
  readonly path: string;
  readonly rawUrl: string;
  readonly batched: boolean;
}

/** What a hit rule asks for, flattened for the pipeline. */
export interface FaultPlan {
  readonly latencyMs: number;
  readonly action:
    | { readonly kind: 'none' }
    | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
    | { readonly kind: 'drop' }
    | { readonly kind: 'gateway'; readonly status: number }
    | { readonly kind: 'landThenStatus'; readonly status: number; readonly retryAfterSeconds?: number };
}

function planOf(rule: FaultRule): FaultPlan {
  const latencyMs = rule.latencyMs ?? 0;
  const retry =
    'retryAfterSeconds' in rule && rule.retryAfterSeconds !== undefined
      ? { retryAfterSeconds: rule.retryAfterSeconds }
      : {};
  if ('drop' in rule) return { latencyMs, action: { kind: 'drop' } };
  if ('gateway' in rule) return { latencyMs, action: { kind: 'gateway', status: rule.gateway } };
  if ('landThenStatus' in rule)
    return { latencyMs, action: { kind: 'landThenStatus', status: rule.landThenStatus, ...retry } };
  if ('status' in rule) return { latencyMs, action: { kind: 'status', status: rule.status, ...retry } };
  return { latencyMs, action: { kind: 'none' } };
}

function matches(rule: FaultRule, target: FaultTarget): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== target.method.toUpperCase()) return false;
  if (rule.batched !== undefined && rule.batched !== target.batched) return false;
  if (
    rule.pathIncludes !== undefined &&
    !target.path.includes(rule.pathIncludes) &&
    !target.rawUrl.includes(rule.pathIncludes)
  ) {
    return false;
  }
  return true;
}

/** Rules are tried in the order they were injected; the first live match takes the request. */
export class FaultBook implements Faults {
  private rules: ActiveRule[] = [];

  get active(): number {
    return this.rules.filter((entry) => entry.remaining > 0).length;
  }

  inject(rule: FaultRule): FaultHandle {
    const times = rule.times ?? 1;
    if (!(times > 0)) throw new Error('sandbox faults: times must be positive (or Infinity)');
    const entry: ActiveRule = { rule, remaining: times, hits: 0 };
    this.rules.push(entry);
    return {
      get hits() {
        return entry.hits;
      },
      get remaining() {
        return entry.remaining;
      },
      remove: () => {
        entry.remaining = 0;
        this.rules = this.rules.filter((candidate) => candidate !== entry);
      },
    };
  }

  clear(): void {
    for (const entry of this.rules) entry.remaining = 0;
    this.rules = [];
  }

  take(target: FaultTarget): FaultPlan | undefined {
    const entry = this.rules.find((candidate) => candidate.remaining > 0 && matches(candidate.rule, target));
    if (!entry) return undefined;
    entry.remaining -= 1;
    entry.hits += 1;
    if (entry.remaining <= 0) this.rules = this.rules.filter((candidate) => candidate !== entry);
    return planOf(entry.rule);
  }
}
