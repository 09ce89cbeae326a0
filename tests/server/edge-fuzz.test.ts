import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createGzip, deflateSync, gzipSync } from 'node:zlib';
import { DEMO_IDS, startSandbox } from '../../src/sandbox';
import type { Sandbox } from '../../src/sandbox';
import { signPush } from '../../src/notify';
import { startBotChild } from '../support/bot-child';
import { noteTyped, watchSandbox } from '../support/typed';
import type { BotChild } from '../support/bot-child';
import { startConnectorDouble } from '../support/connector-double';
import type { ConnectorDouble } from '../support/connector-double';
import { startTokenServiceDouble } from '../support/token-service-double';
import type { TokenServiceDouble } from '../support/token-service-double';
import { cardAction, installActivity, messageActivity, teamsUser } from '../support/teams';

/**
 * The edge under fire from outside: the real bot entry point in its own process, in local and in
 * production mode, gets 10,000+ hostile requests (a seeded, reproducible mix of content types, encodings,
 * compressed bombs, methods, activity shapes, invoke names, ids and texts). Nothing may crash it, answer
 * 5xx (also not inside a 200 Universal Actions body), leak an exception's text, send Graph an id that is
 * not a GUID, or make it grow by 100 MB.
 */

const SEED = 20261203;
const LOCAL_REQUESTS = 7000;
const PRODUCTION_REQUESTS = 3000;
const NOTIFY_SECRET = 'fuzz-secret-0123456789abcdef0123456789abcdef';
const MB = 1024 * 1024;

let sandbox: Sandbox;
let connector: ConnectorDouble;
let double: TokenServiceDouble;
let local: BotChild;
let production: BotChild;
let dataDir: string;

beforeAll(async () => {
  sandbox = watchSandbox(await startSandbox({ tenant: 'demo' }));
  connector = await startConnectorDouble();
  double = await startTokenServiceDouble();
  dataDir = mkdtempSync(path.join(tmpdir(), 'approvals-fuzz-'));
  [local, production] = await Promise.all([
    startBotChild({
      GRAPH_BASE_URL: sandbox.url,
      DATA_DIR: path.join(dataDir, 'local'),
      NOTIFY_SECRET,
      MAX_BODY_BYTES: String(64 * 1024),
    }),
    startBotChild({
      ...double.settings,
      NODE_ENV: 'production',
      STORE: 'sqlite',
      DATA_DIR: path.join(dataDir, 'production'),
      NOTIFY_SECRET,
      MAX_BODY_BYTES: String(64 * 1024),
    }),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([local?.stop(), production?.stop()]);
  await connector?.close();
  await double?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

// ---- a seeded generator ------------------------------------------------------------------------------

function rng(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

interface Shot {
  readonly category: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

const HOSTILE_TEXT = [
  '[click here](https://evil.example) now',
  '<at>Megan Bowen</at> <script>alert(1)</script>',
  'quiet 22:00-07:00 \u0000',
  'subscribe access package [x](https://evil.example)',
  'unsubscribe group <at>x</at>',
  'quiet 22:00-07:00 [tz](https://evil.example)',
  '\u202Eevil\u202C',
  '\u200B',
  '\uD800',
  '😀'.repeat(300),
  'x'.repeat(20_000),
  '${constructor}',
  '__proto__',
  'pending',
  'help',
  'history',
  'settings',
];
const HOSTILE_IDS = [
  '',
  ' ',
  '\u200B',
  'a:\u200Bpersonal',
  'a:\uD800',
  '19:x@thread.tacv2;messageid=\u0000',
  '../../users/x',
  'a'.repeat(5000),
  '29:\u202Eevil',
  'ñ',
  42,
  null,
  {},
  [],
  true,
];
const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE_TEXT,
  ...HOSTILE_IDS,
  -1,
  1e308,
  false,
  [1, 2],
  { a: { b: {} } },
];
const SERVICE_URLS = [
  'ftp://127.0.0.1/',
  'javascript:alert(1)',
  'http://evil.example/',
  'https://127.0.0.1:1/',
  'http://127.0.0.1:1/',
  'http://user:pass@127.0.0.1/',
  'not a url',
  '',
];
const INVOKE_NAMES = [
  'fileConsent/invoke',
  'composeExtension/submitAction',
  'composeExtension/query',
  'composeExtension/fetchTask',
  'application/search',
  'task/fetch',
  'task/submit',
  'config/fetch',
  'config/submit',
  'tab/fetch',
  'actionableMessage/executeAction',
  'handoff/action',
  'message/submitAction',
  'signin/verifyState',
  'signin/tokenExchange',
  'adaptiveCard/action',
  'healthCheck',
  'x',
];
const CONTENT_TYPES = [
  'text/plain',
  'text/csv',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json; charset=latin1',
  'application/jsonx',
  '',
];
const ENCODINGS = ['gzip', 'deflate', 'br', 'gzip, gzip', 'compress', 'x-gzip'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function mutate(base: Record<string, unknown>, random: () => number): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const paths: string[][] = [];
  const walk = (node: unknown, trail: string[]) => {
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      paths.push([...trail, key]);
      walk(value, [...trail, key]);
    }
  };
  walk(copy, []);
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) {
    const trail = pick(random, paths);
    let parent: Record<string, unknown> = copy;
    for (const key of trail.slice(0, -1)) {
      const next = parent[key];
      if (!next || typeof next !== 'object') break;
      parent = next as Record<string, unknown>;
    }
    const last = trail[trail.length - 1] as string;
    if (random() < 0.25) Reflect.deleteProperty(parent, last);
    else parent[last] = structuredClone(pick(random, HOSTILE_VALUES));
  }
  return copy;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Activities a real Teams client could send, to mutate from. */
const ALEX = teamsUser('6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01', 'Alex Wilber');

function bases(serviceUrl: string): Record<string, unknown>[] {
  const alex = ALEX;
  const where = { serviceUrl };
  const channel = { serviceUrl, channelId: '19:fuzz@thread.tacv2' };
  // Alex Wilber approves "Engineering build agents" (one stage) in the demo tenant.
  const target = {
    kind: 'accessPackage',
    approvalId: DEMO_IDS.accessPackage.buildAgentsDuration,
    stageId: '6d2b6a0e-7c1f-4f0e-9b8a-a20000000005', // its stage in src/sandbox/demo-tenant.ts
    api: 'v1.0',
  };
  const review = DEMO_IDS.review.guestsProjectFalcon;
  const reviewTarget = { kind: 'accessReview', ...review, stageId: null, decisionId: review.instanceId };
  return [
    messageActivity(where, alex, 'help'),
    messageActivity(where, alex, '[click here](https://evil.example) now'),
    messageActivity(channel, alex, '<at>Approvals</at> subscribe access package [x](https://evil.example)'),
    messageActivity(where, alex, 'quiet 22:00-07:00 \u0000'),
    messageActivity(where, alex, '', { verb: 'approve', target, rev: 1, justification: 'ok' }),
    installActivity({ serviceUrl, conversationId: '19:fuzz-chat@thread.v2' }, alex),
    cardAction(where, alex, {
      verb: 'approve',
      data: { verb: 'approve', target, rev: 1, justification: 'x' },
    }),
    cardAction(where, alex, { verb: 'deny', data: { verb: 'deny', target, rev: 1 } }),
    cardAction(where, alex, { verb: 'dontKnow', data: { verb: 'dontKnow', target: reviewTarget, rev: 1 } }),
    cardAction(where, alex, {
      verb: 'refresh',
      data: { verb: 'refresh', target, rev: 1 },
      trigger: 'automatic',
    }),
    cardAction(where, alex, { verb: 'retry', data: { verb: 'retry', target, rev: 1, decision: 'Approve' } }),
  ] as Record<string, unknown>[];
}

function gzipBomb(inflatedBytes: number): Buffer {
  // Zeros compress about a thousandfold: a small body that inflates to `inflatedBytes`.
  return gzipSync(Buffer.alloc(inflatedBytes));
}

/** The mix of requests, reproducible from the seed. */
function* shots(seed: number, count: number, serviceUrl: string, signed: boolean): Generator<Shot> {
  const random = rng(seed);
  const activities = bases(serviceUrl);
  const bomb = gzipBomb(8 * MB);
  const JSON_TYPE = { 'content-type': 'application/json' };
  for (let i = 0; i < count; i++) {
    const base = pick(random, activities);
    const r = random();
    if (r < 0.35) {
      yield {
        category: 'activity shape',
        method: 'POST',
        path: '/api/messages',
        headers: JSON_TYPE,
        body: json(mutate(base, random)),
      };
    } else if (r < 0.45) {
      const activity = mutate(base, random);
      const field = pick(random, [
        'id',
        'replyToId',
        'conversation',
        'from',
        'recipient',
        'serviceUrl',
        'channelId',
      ]);
      if (field === 'conversation' || field === 'from' || field === 'recipient')
        activity[field] = {
          ...(activity[field] as object),
          id: pick(random, HOSTILE_IDS),
          isGroup: pick(random, ['yes', 1, true]),
        };
      else if (field === 'serviceUrl') activity.serviceUrl = pick(random, SERVICE_URLS);
      else activity[field] = pick(random, HOSTILE_IDS);
      yield {
        category: 'ids and urls',
        method: 'POST',
        path: '/api/messages',
        headers: JSON_TYPE,
        body: json(activity),
      };
    } else if (r < 0.55) {
      const activity = {
        ...base,
        type: 'invoke',
        name: pick(random, INVOKE_NAMES),
        value: pick(random, HOSTILE_VALUES),
      };
      yield {
        category: 'invoke names',
        method: 'POST',
        path: '/api/messages',
        headers: JSON_TYPE,
        body: json(activity),
      };
    } else if (r < 0.62) {
      const body = random() < 0.5 ? json(base) : Buffer.from('a=1&b="unclosed,quote\n"x');
      yield {
        category: 'content types',
        method: 'POST',
        path: '/api/messages',
        headers: { 'content-type': pick(random, CONTENT_TYPES) },
        body,
      };
    } else if (r < 0.7) {
      const encoding = pick(random, ENCODINGS);
      const payload = json(base);
      const kind = random();
      const body =
        kind < 0.25
          ? gzipSync(payload)
          : kind < 0.5
            ? Buffer.from('not gzip at all')
            : kind < 0.7
              ? gzipSync(payload).subarray(0, 20)
              : kind < 0.85
                ? deflateSync(payload)
                : bomb;
      yield {
        category: 'encodings and bombs',
        method: 'POST',
        path: '/api/messages',
        headers: { ...JSON_TYPE, 'content-encoding': encoding },
        body,
      };
    } else if (r < 0.76) {
      const form =
        'type=invoke&name=adaptiveCard%2Faction&value[action][type]=Action.Execute&value[action][verb]=approve&channelId=msteams';
      const origin: Record<string, string> =
        random() < 0.5 ? { origin: 'https://evil.example' } : { 'sec-fetch-site': 'cross-site' };
      const headers =
        random() < 0.5
          ? { 'content-type': 'application/x-www-form-urlencoded', ...origin }
          : { ...JSON_TYPE, ...origin };
      yield {
        category: 'from web pages',
        method: 'POST',
        path: '/api/messages',
        headers,
        body: headers['content-type'] === 'application/json' ? json(base) : Buffer.from(form),
      };
    } else if (r < 0.82) {
      const raw = pick(random, [
        '',
        'null',
        '[]',
        '"text"',
        '{',
        '{"type":',
        '42',
        '[[[[[[[[[[',
        '\uFEFF{}',
        '{"a":1e999999}',
      ]);
      const bytes = random() < 0.2 ? Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) : Buffer.from(raw);
      yield {
        category: 'raw bodies',
        method: 'POST',
        path: '/api/messages',
        headers: JSON_TYPE,
        body: bytes,
      };
    } else if (r < 0.86) {
      yield {
        category: 'too large',
        method: 'POST',
        path: '/api/messages',
        headers: JSON_TYPE,
        body: json({ ...base, text: 'y'.repeat(70 * 1024) }),
      };
    } else if (r < 0.9) {
      const method = pick(random, ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
      const where = pick(random, [
        '/api/messages',
        '/api/notify',
        '/healthz',
        '/%E0%A4%A',
        '/\u00e9',
        '/api/messages/../../etc/passwd',
        '/privacy?x=<script>',
      ]);
      yield { category: 'methods and paths', method, path: where, headers: JSON_TYPE, body: Buffer.alloc(0) };
    } else {
      const body = json(
        random() < 0.5
          ? { approverIds: [pick(random, HOSTILE_VALUES)] }
          : mutate(
              {
                target: {
                  kind: 'accessPackage',
                  approvalId: DEMO_IDS.accessPackage.hrKitForAdele,
                  stageId: DEMO_IDS.accessPackage.hrKitForAdele,
                },
              },
              random,
            ),
      );
      const timestamp = String(Math.floor(Date.now() / 1000) + (random() < 0.2 ? 3600 : 0));
      const headers: Record<string, string> = { ...JSON_TYPE, 'x-approvals-timestamp': timestamp };
      headers['x-approvals-signature'] =
        signed && random() < 0.6
          ? signPush(NOTIFY_SECRET, timestamp, body.toString())
          : `sha256=${'0'.repeat(64)}`;
      yield { category: '/api/notify', method: 'POST', path: '/api/notify', headers, body };
    }
  }
}

// ---- firing ----------------------------------------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly text: string;
}

function fire(url: string, shot: Shot, agent: http.Agent, auth: string | null): Promise<Answer> {
  const target = new URL(url);
  noteTyped(shot.body.toString());
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: shot.method,
        path: shot.path,
        agent,
        headers: {
          ...shot.headers,
          ...(auth ? { authorization: auth } : {}),
          ...(shot.method === 'GET' || shot.method === 'HEAD'
            ? {}
            : { 'content-length': String(shot.body.length) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', () => resolve({ status: res.statusCode ?? -1, text: '' }));
      },
    );
    // A refused body may be cut off mid-write: that is an answer too, not a crash.
    req.on('error', () => resolve({ status: -1, text: '' }));
    req.end(shot.method === 'GET' || shot.method === 'HEAD' ? undefined : shot.body);
  });
}

const LEAK =
  /(\w*Error:|Exception|\bat [\w.<>]+ \(|node_modules|\/work\/|ECONNREFUSED|EADDR|Z_DATA_ERROR|Z_BUF_ERROR|Unexpected token|Quote Not Closed|Invalid character|URI malformed|stack)/i;

interface Tally {
  requests: number;
  /** Activities the bot took (2xx on /api/messages). */
  accepted: number;
  statuses: Record<string, number>;
  categories: Record<string, number>;
  serverErrors: string[];
  leaks: string[];
  /** Non-2xx answers whose body is not the one error shape, `{ error: { code, message } }`. */
  misshapenErrors: string[];
}

function isErrorBody(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } } | null;
    return (
      typeof body?.error?.code === 'string' &&
      body.error.code !== '' &&
      typeof body.error.message === 'string' &&
      body.error.message !== '' &&
      Object.keys(body).length === 1
    );
  } catch {
    return false;
  }
}

async function barrage(child: BotChild, shotList: Iterable<Shot>, auth: () => string | null): Promise<Tally> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const tally: Tally = {
    requests: 0,
    accepted: 0,
    statuses: {},
    categories: {},
    serverErrors: [],
    leaks: [],
    misshapenErrors: [],
  };
  const queue = [...shotList];
  const lanes = Array.from({ length: 16 }, async () => {
    for (let shot = queue.shift(); shot; shot = queue.shift()) {
      const answer = await fire(child.url, shot, agent, auth());
      tally.requests += 1;
      tally.statuses[answer.status] = (tally.statuses[answer.status] ?? 0) + 1;
      tally.categories[shot.category] = (tally.categories[shot.category] ?? 0) + 1;
      if (shot.path === '/api/messages' && answer.status >= 200 && answer.status < 300) tally.accepted += 1;
      let inner: number | null = null;
      try {
        const parsed = JSON.parse(answer.text) as { statusCode?: unknown };
        inner = typeof parsed?.statusCode === 'number' ? parsed.statusCode : null;
      } catch {
        // not JSON
      }
      if (answer.status >= 500 || (inner !== null && inner >= 500))
        tally.serverErrors.push(`${shot.category}: ${answer.status}/${inner} ${answer.text.slice(0, 200)}`);
      // A HEAD answer has no body, by HTTP's rules.
      if (answer.status >= 400 && shot.method !== 'HEAD' && !isErrorBody(answer.text))
        tally.misshapenErrors.push(
          `${shot.method} ${shot.path}: ${answer.status} ${answer.text.slice(0, 120)}`,
        );
      if (LEAK.test(answer.text)) tally.leaks.push(`${shot.category}: ${answer.text.slice(0, 200)}`);
    }
  });
  await Promise.all(lanes);
  agent.destroy();
  return tally;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LITERAL = /^(\$batch|[A-Za-z]+(\(on='[a-z]+'\))?)$/;

it('[long, ~45 s] takes 10,000 hostile requests in local and production mode: no exit, no 5xx, no leaked internals, no bad Graph id, bounded memory', async () => {
  const started = Date.now();
  sandbox.clearRequests();
  const rssBefore = { local: local.rss(), production: production.rss() };
  const linesBefore = production.lines.length;
  // Alex's pending items are known to the local bot, so that valid clicks among the mutations decide.
  await fire(
    local.url,
    {
      category: 'warm-up',
      method: 'POST',
      path: '/api/messages',
      headers: { 'content-type': 'application/json' },
      body: json(messageActivity({ serviceUrl: connector.serviceUrl }, ALEX, 'pending')),
    },
    new http.Agent(),
    null,
  );
  // Production callers present a mix: none, garbage, and JWTs signed with a key Teams does not publish.
  const tokens = rng(SEED + 2);
  const forged = double.signActivityJwt(double.appId, connector.serviceUrl, { foreignKey: true });
  const productionAuth = () => {
    const r = tokens();
    return r < 0.3
      ? null
      : r < 0.6
        ? 'Bearer not-a-jwt'
        : r < 0.7
          ? `Bearer ${'a'.repeat(20_000)}`
          : `Bearer ${forged}`;
  };
  const [localTally, productionTally] = await Promise.all([
    barrage(local, shots(SEED, LOCAL_REQUESTS, connector.serviceUrl, true), () => null),
    barrage(
      production,
      shots(SEED + 1, PRODUCTION_REQUESTS, 'https://smba.trafficmanager.net/teams/', false),
      productionAuth,
    ),
  ]);
  // Let background work (late card updates, roster reads) settle, then measure.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const growth = {
    local: local.rss() - rssBefore.local,
    production: production.rss() - rssBefore.production,
  };
  const seconds = (Date.now() - started) / 1000;
  const productionLogLines = production.lines.length - linesBefore;
  const graphCalls = sandbox.requests.length;
  const writes = sandbox.requests.filter((r) => r.method === 'PATCH').length;

  process.stdout.write(
    `edge fuzz (seed ${SEED}): ${localTally.requests + productionTally.requests} requests in ${seconds.toFixed(1)} s\n` +
      `  local: statuses ${JSON.stringify(localTally.statuses)}, categories ${JSON.stringify(localTally.categories)}\n` +
      `  production: statuses ${JSON.stringify(productionTally.statuses)}\n` +
      `  process exits ${Number(local.exited) + Number(production.exited)}, 5xx ${localTally.serverErrors.length + productionTally.serverErrors.length}, ` +
      `bodies with exception text ${localTally.leaks.length + productionTally.leaks.length}, ` +
      `errors not in the one shape ${localTally.misshapenErrors.length + productionTally.misshapenErrors.length}, ` +
      `Graph calls ${graphCalls} (PATCH ${writes}), RSS growth local ${(growth.local / MB).toFixed(1)} MB / production ${(growth.production / MB).toFixed(1)} MB, ` +
      `production log lines ${productionLogLines}\n`,
  );

  expect(localTally.requests + productionTally.requests).toBeGreaterThanOrEqual(10_000);
  expect(local.exited).toBe(false);
  expect(production.exited).toBe(false);
  expect([...localTally.serverErrors, ...productionTally.serverErrors]).toEqual([]);
  expect([...localTally.leaks, ...productionTally.leaks]).toEqual([]);
  expect([...localTally.misshapenErrors, ...productionTally.misshapenErrors].slice(0, 10)).toEqual([]);
  // The fuzz reached Graph through the bot (so the id check below is not vacuous) …
  expect(writes).toBeGreaterThan(0);
  // … and every path the bot built was made of GUIDs and the contract's literal segments.
  for (const request of sandbox.requests)
    for (const segment of request.path.split('/').filter(Boolean))
      expect(GUID.test(segment) || LITERAL.test(segment)).toBe(true);
  // Production never let a forged or missing token through, and its log stayed throttled.
  expect(productionTally.accepted).toBe(0);
  expect(localTally.accepted).toBeGreaterThan(0);
  if (productionLogLines >= 100)
    console.log(production.lines.slice(linesBefore, linesBefore + 20).join('\n'));
  expect(productionLogLines).toBeLessThan(100);
  expect(growth.local).toBeLessThan(100 * MB);
  expect(growth.production).toBeLessThan(100 * MB);
  expect(seconds).toBeLessThan(60);
  const health = await fetch(`${local.url}/healthz`);
  expect(health.status).toBe(200);
}, 180_000);

it('refuses a gzip bomb of 250 MB inflated size with 415, growing by less than 20 MB', async () => {
  const before = local.rss();
  // Streamed, so that the test itself never holds 250 MB either.
  const gzip = createGzip();
  const chunks: Buffer[] = [];
  gzip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const zeros = Buffer.alloc(MB);
  for (let i = 0; i < 250; i++) gzip.write(zeros);
  gzip.end();
  await done;
  const bomb = Buffer.concat(chunks);
  const answer = await fire(
    local.url,
    {
      category: 'bomb',
      method: 'POST',
      path: '/api/messages',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: bomb,
    },
    new http.Agent(),
    null,
  );
  expect([413, 415]).toContain(answer.status);
  expect(JSON.parse(answer.text)).toEqual({
    error: { code: expect.any(String), message: expect.any(String) },
  });
  expect(local.rss() - before).toBeLessThan(20 * MB);
  expect(local.exited).toBe(false);
});

it('refuses a form-urlencoded approve posted from a web page, and nothing reaches Graph', async () => {
  sandbox.clearRequests();
  const approvalId = DEMO_IDS.accessPackage.hrKitForAdele;
  const form = new URLSearchParams({
    type: 'invoke',
    name: 'adaptiveCard/action',
    channelId: 'msteams',
    serviceUrl: connector.serviceUrl,
    'from[id]': '29:alex',
    'from[aadObjectId]': '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e01',
    'conversation[id]': 'a:alex',
    'value[action][type]': 'Action.Execute',
    'value[action][verb]': 'approve',
    'value[action][data][target][kind]': 'accessPackage',
    'value[action][data][target][approvalId]': approvalId,
    'value[action][data][target][stageId]': approvalId,
    'value[action][data][target][api]': 'v1.0',
  }).toString();
  const agent = new http.Agent();
  const variants: Record<string, string>[] = [
    { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
    { 'content-type': 'application/x-www-form-urlencoded' },
    { 'content-type': 'text/plain', origin: 'null' },
  ];
  for (const headers of variants) {
    const answer = await fire(
      local.url,
      { category: 'form', method: 'POST', path: '/api/messages', headers, body: Buffer.from(form) },
      agent,
      null,
    );
    expect([403, 415]).toContain(answer.status);
  }
  expect(sandbox.requests).toEqual([]);
});
