import { randomUUID } from 'node:crypto';
import { noteTyped } from './typed';

/** A Teams user as activities carry them. */
export interface TeamsUser {
  readonly aadObjectId: string;
  readonly mri: string;
  readonly name: string;
}

export const TENANT_ID = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00';
const BOT = { id: '28:approvals-bot', name: 'Approvals' };

export function teamsUser(aadObjectId: string, name: string): TeamsUser {
  return { aadObjectId, name, mri: `29:${aadObjectId.replace(/-/g, '')}` };
}

export interface Where {
  readonly serviceUrl: string;
  /** personal by default; a channel conversation otherwise. */
  readonly channelId?: string;
  readonly conversationId?: string;
}

function conversation(where: Where, user: TeamsUser) {
  if (where.channelId) {
    return {
      id: where.conversationId ?? `${where.channelId};messageid=1`,
      conversationType: 'channel',
      tenantId: TENANT_ID,
      isGroup: true,
    };
  }
  return {
    id: where.conversationId ?? `a:personal-${user.aadObjectId}`,
    conversationType: 'personal',
    tenantId: TENANT_ID,
  };
}

function base(where: Where, user: TeamsUser) {
  return {
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl: where.serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: user.mri, name: user.name, aadObjectId: user.aadObjectId },
    recipient: BOT,
    conversation: conversation(where, user),
    channelData: {
      tenant: { id: TENANT_ID },
      ...(where.channelId ? { channel: { id: where.channelId }, team: { id: '19:team@thread.tacv2' } } : {}),
    },
  };
}

export function messageActivity(where: Where, user: TeamsUser, text: string, value?: unknown) {
  return { ...base(where, user), type: 'message', text, ...(value === undefined ? {} : { value }) };
}

export function installActivity(where: Where, user: TeamsUser) {
  return { ...base(where, user), type: 'installationUpdate', action: 'add' };
}

export function cardAction(
  where: Where,
  user: TeamsUser,
  action: {
    readonly verb: string;
    readonly data: unknown;
    readonly trigger?: 'manual' | 'automatic';
    readonly replyToId?: string;
  },
) {
  return {
    ...base(where, user),
    type: 'invoke',
    name: 'adaptiveCard/action',
    ...(action.replyToId ? { replyToId: action.replyToId } : {}),
    value: {
      action: { type: 'Action.Execute', verb: action.verb, data: action.data },
      trigger: action.trigger ?? 'manual',
    },
  };
}

export interface Posted {
  readonly status: number;
  readonly body: unknown;
  readonly ms: number;
}

export async function post(
  botUrl: string,
  activity: unknown,
  headers: Record<string, string> = {},
): Promise<Posted> {
  const started = Date.now();
  noteTyped(activity);
  const res = await fetch(`${botUrl}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof activity === 'string' ? activity : JSON.stringify(activity),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, ms: Date.now() - started };
}

/** Every string in a card, for asserting on what a user reads. */
export function cardText(card: unknown): string {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (typeof node === 'string') out.push(node);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) if (key !== 'data' && key !== 'refresh') walk(value);
    }
  };
  walk(card);
  // The cards insert invisible joiners into requestor text; readers do not see them.
  return out.join(' ').replace(/[\u200b\u2060]/g, '');
}

/** Every Action.Execute / Action.Submit in a card. */
export function cardActions(
  card: unknown,
): { type: string; verb?: string; title?: string; data?: Record<string, unknown> }[] {
  const found: { type: string; verb?: string; title?: string; data?: Record<string, unknown> }[] = [];
  const walk = (node: unknown, inFallback: boolean): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n, inFallback));
    else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (!inFallback && (o.type === 'Action.Execute' || o.type === 'Action.Submit')) {
        const action = o as { type: string; verb?: string; title?: string; data?: Record<string, unknown> };
        // An Action.Submit carries its verb inside its data.
        const verb = action.verb ?? (typeof action.data?.verb === 'string' ? action.data.verb : undefined);
        found.push({ ...action, ...(verb ? { verb } : {}) });
      }
      for (const [key, value] of Object.entries(o))
        if (key !== 'refresh') walk(value, inFallback || key === 'fallback');
    }
  };
  walk(card, false);
  return found;
}

type Json = Record<string, unknown>;

/** The Adaptive Card inside an activity the bot sent. */
export function cardOf(activity: unknown): Json | null {
  const attachments =
    (activity as { attachments?: { contentType?: string; content?: Json }[] }).attachments ?? [];
  return (
    attachments.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content ?? null
  );
}

/** The item target a card acts on (from its refresh or any button). */
export function targetOf(card: unknown): Json | null {
  let found: Json | null = null;
  const walk = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    const o = node as Json;
    const data = o.data as Json | undefined;
    if (data && typeof data === 'object' && data.target) {
      found = data.target as Json;
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(card);
  return found;
}
