import { randomUUID } from 'node:crypto';
import type { Logger } from '../log';
import type { Behaviour } from './behaviour';
import { runBatch } from './batch';
import { badRequest, errorBody, faultError, HttpError, unauthenticated, unknownSegment } from './errors';
import type { FaultBook } from './faults';
import type { JsonObject } from './json';
import { parseJsonLenient } from './json';
import { parseQuery } from './odata';
import { checkScopes } from './permissions';
import type { Recorder } from './recorder';
import { resolve } from './router';
import type { Reply } from './routes';
import { ROUTES } from './routes';
import type { SandboxStore } from './state';
import { readToken } from './tokens';
import type { GraphVersion, SandboxUser } from './types';

export type CallBody =
  | { readonly kind: 'none' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'json'; readonly value: unknown };

/** One request, top-level or inside a $batch, before anything is decided about it. */
export interface Call {
  readonly method: string;
  readonly rawUrl: string;
  readonly version: GraphVersion | null;
  /** After the version, no leading slash, no query, still percent-encoded. */
  readonly rawPath: string;
  readonly rawQuery: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: CallBody;
  readonly batched: boolean;
  /** Inner $batch requests act as the envelope's caller. */
  readonly caller?: Caller;
}

export interface Caller {
  readonly user: SandboxUser;
  readonly scopes: ReadonlySet<string>;
}

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: JsonObject;
}

export type Outcome =
  | ({ readonly kind: 'answer' } & Answer)
  | { readonly kind: 'drop' }
  /** Not Graph's answer but its gateway's: plain text, none of Graph's headers. */
  | { readonly kind: 'text'; readonly status: number; readonly text: string };

const GATEWAY_TEXT: Readonly<Record<number, string>> = { 502: 'Bad Gateway', 504: 'Gateway Timeout' };

export interface PipelineDeps {
  readonly store: SandboxStore;
  readonly faults: FaultBook;
  readonly recorder: Recorder;
  readonly tenantId: string;
  readonly baseUrl: () => string;
  readonly pageSize: number;
  readonly behaviour: Behaviour;
  /** The sandbox clock (SandboxOptions.now). */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger?: Logger;
}

type Auth =
  { readonly ok: true; readonly caller: Caller } | { readonly ok: false; readonly error: HttpError };
type ParsedBody =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly text: string };

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}

function parseRawQuery(rawQuery: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) query[key] = value;
  return query;
}

function parseBody(body: CallBody): ParsedBody {
  if (body.kind === 'json') return { ok: true, value: body.value };
  if (body.kind === 'none' || body.text.trim() === '') return { ok: true, value: undefined };
  const parsed = parseJsonLenient(body.text);
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false, text: body.text };
}

/** Auth → routing → consent → handler, with faults and recording around it; shared by HTTP and $batch. */
export class Pipeline {
  constructor(private readonly deps: PipelineDeps) {}

  private authenticate(call: Call): Auth {
    if (call.caller) return { ok: true, caller: call.caller };
    const check = readToken(
      call.headers.authorization,
      this.deps.tenantId,
      Math.floor(this.deps.now() / 1000),
    );
    if (!check.ok) return { ok: false, error: unauthenticated(check.message) };
    const user = this.deps.store.directory.get(check.claims.oid);
    if (!user) {
      return {
        ok: false,
        error: unauthenticated(
          `Access token validation failure: no user with object id '${check.claims.oid}' in this tenant.`,
        ),
      };
    }
    return { ok: true, caller: { user, scopes: check.claims.scopes } };
  }

  async execute(call: Call): Promise<Outcome> {
    const at = this.deps.now();
    const requestId = randomUUID();
    const ids = { requestId, clientRequestId: call.headers['client-request-id'] ?? requestId };
    const auth = this.authenticate(call);
    const body = parseBody(call.body);
    const path = `/${decodePath(call.rawPath)}`;
    const record = this.deps.recorder.add({
      method: call.method.toUpperCase(),
      version: call.version,
      path,
      rawUrl: call.rawUrl,
      query: parseRawQuery(call.rawQuery),
      body: body.ok ? body.value : body.text,
      callerId: auth.ok ? auth.caller.user.id : null,
      status: 0,
      batched: call.batched,
      at,
    });

    const plan = this.deps.faults.take({
      method: call.method,
      path,
      rawUrl: call.rawUrl,
      batched: call.batched,
    });
    if (plan && plan.latencyMs > 0) await this.deps.sleep(plan.latencyMs);

    let reply: Reply;
    if (plan?.action.kind === 'drop') {
      record.status = -1;
      this.log(call, -1, at);
      return { kind: 'drop' };
    }
    if (plan?.action.kind === 'gateway') {
      const { status } = plan.action;
      record.status = status;
      this.log(call, status, at);
      return { kind: 'text', status, text: GATEWAY_TEXT[status] ?? 'Gateway error' };
    }
    if (plan?.action.kind === 'status') {
      reply = this.errorReply(faultError(plan.action.status, plan.action.retryAfterSeconds), ids, at);
    } else {
      const handled = await this.handle(call, auth, body, ids, at);
      if (handled === 'drop') {
        record.status = -1;
        this.log(call, -1, at);
        return { kind: 'drop' };
      }
      reply = handled;
      // The write above has landed; the caller still hears a failure (graph-contract.md §5.6).
      if (plan?.action.kind === 'landThenStatus') {
        reply = this.errorReply(faultError(plan.action.status, plan.action.retryAfterSeconds), ids, at);
      }
    }
    record.status = reply.status;
    this.log(call, reply.status, at);
    const headers: Record<string, string> = {
      ...reply.headers,
      'request-id': ids.requestId,
      'client-request-id': ids.clientRequestId,
    };
    if (reply.body !== undefined)
      headers['Content-Type'] =
        'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
    return {
      kind: 'answer',
      status: reply.status,
      headers,
      ...(reply.body !== undefined ? { body: reply.body } : {}),
    };
  }

  /** For inner $batch requests that never ran because a dependency failed. */
  recordOnly(call: Call, status: number): void {
    const body = parseBody(call.body);
    this.deps.recorder.add({
      method: call.method.toUpperCase(),
      version: call.version,
      path: `/${decodePath(call.rawPath)}`,
      rawUrl: call.rawUrl,
      query: parseRawQuery(call.rawQuery),
      body: body.ok ? body.value : body.text,
      callerId: call.caller?.user.id ?? null,
      status,
      batched: call.batched,
      at: this.deps.now(),
    });
  }

  /** The sandbox clock, for answers made outside execute() (a $batch's 424s). */
  now(): number {
    return this.deps.now();
  }

  errorReply(error: HttpError, ids: { requestId: string; clientRequestId: string }, at: number): Reply {
    return { status: error.status, headers: error.headers, body: errorBody(error, ids, at) };
  }

  private async handle(
    call: Call,
    auth: Auth,
    body: ParsedBody,
    ids: { requestId: string; clientRequestId: string },
    at: number,
  ): Promise<Reply | 'drop'> {
    try {
      if (call.version === null) {
        throw badRequest(`Invalid version: ${call.rawPath.split('/')[0] ?? ''}`, 'BadRequest');
      }
      if (!auth.ok) throw auth.error;
      if (!body.ok) {
        throw badRequest(
          'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
        );
      }
      if (call.rawPath.replace(/\/$/, '') === '')
        throw badRequest('Invalid request: the path after the version is empty.');
      const segments = call.rawPath.replace(/\/$/, '').split('/').map(decodePath);
      if (segments.length === 1 && segments[0] === '$batch') {
        if (call.batched) throw badRequest('A $batch request cannot contain another $batch request.');
        if (call.method.toUpperCase() !== 'POST')
          throw new HttpError(405, 'BadRequest', 'Only POST is supported on $batch.');
        return await runBatch(
          body.value,
          { version: call.version, caller: auth.caller, headers: call.headers },
          this,
        );
      }
      const resolution = resolve(ROUTES, call.version, call.method, segments);
      if (resolution.kind === 'unknownSegment') throw unknownSegment(resolution.segment);
      if (resolution.kind === 'incomplete')
        throw badRequest(`The sandbox does not serve '/${segments.join('/')}'.`);
      if (resolution.kind === 'methodNotAllowed') {
        throw new HttpError(
          405,
          'BadRequest',
          `The HTTP method '${call.method.toUpperCase()}' is not allowed for this resource.`,
        );
      }
      const denied = checkScopes(auth.caller.scopes, resolution.route.scopes);
      if (denied) throw denied;
      return resolution.route.handle({
        store: this.deps.store,
        caller: auth.caller.user,
        version: call.version,
        params: resolution.params,
        query: parseQuery(parseRawQuery(call.rawQuery)),
        body: body.value,
        link: {
          baseUrl: this.deps.baseUrl(),
          version: call.version,
          rawPath: call.rawPath.replace(/\/$/, ''),
        },
        pageSize: this.deps.pageSize,
        at,
        behaviour: this.deps.behaviour,
      });
    } catch (error) {
      if (error instanceof HttpError) return this.errorReply(error, ids, at);
      this.deps.logger?.error(
        { err: error, method: call.method, path: call.rawPath },
        'graph sandbox: handler failed',
      );
      return this.errorReply(
        new HttpError(500, 'generalException', 'The sandbox failed to handle the request.'),
        ids,
        at,
      );
    }
  }

  private log(call: Call, status: number, at: number): void {
    this.deps.logger?.debug(
      { method: call.method, url: call.rawUrl, status, ms: this.deps.now() - at, batched: call.batched },
      'graph sandbox request',
    );
  }
}
