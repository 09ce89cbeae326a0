import { DEMO_IDS } from '../../src/sandbox';
import { cardAction, cardText, messageActivity, post } from '../support/teams';
import { cardOf, startStack } from '../bot/harness';
import type { Stack } from '../bot/harness';

/**
 * Hostile input at the edge: at least 1,000 malformed activities and invokes. The server never crashes or
 * answers 5xx, and no Graph call ever carries an id that is not a GUID.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

// A deterministic generator, so a failure can be replayed.
function rng(seed: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  '../../users/x',
  '..%2F..%2Fusers%2Fx',
  '6d2b6a0e-7c1f-4f0e-9b8a-a10000000001/../../me',
  '6d2b6a0e-7c1f-4f0e-9b8a-a10000000001?$select=*',
  '__proto__',
  'constructor',
  '',
  ' ',
  '\u0000',
  '[click](https://evil.example)',
  '<at>Megan Bowen</at>',
  '${evil}',
  '{{BOT_ID}}',
  'x'.repeat(70_000),
  '😀'.repeat(1000),
];
const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE_STRINGS,
  0,
  -1,
  1e308,
  true,
  false,
  null,
  [],
  {},
  [1, 2],
  { a: { b: { c: {} } } },
];

function mutate(base: Record<string, unknown>, random: () => number): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
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
    const trail = pick(paths);
    let parent: Record<string, unknown> = copy;
    for (const key of trail.slice(0, -1)) {
      const next = parent[key];
      if (!next || typeof next !== 'object') break;
      parent = next as Record<string, unknown>;
    }
    const last = trail[trail.length - 1] as string;
    if (random() < 0.3) Reflect.deleteProperty(parent, last);
    else parent[last] = pick(HOSTILE_VALUES);
  }
  return copy;
}

it('survives 1,000 malformed and hostile activities without a 5xx or a bad Graph call', async () => {
  const random = rng(20261126);
  const personal = { serviceUrl: stack.connector.serviceUrl };
  const approvalId = DEMO_IDS.accessPackage.hrKitForAdele;
  const goodTarget = { kind: 'accessPackage', approvalId, stageId: approvalId, api: 'v1.0' };
  const bases = [
    messageActivity(personal, stack.alex, 'pending'),
    messageActivity(personal, stack.alex, '[click](https://evil.example) <at>Megan</at>'),
    messageActivity(personal, stack.alex, '', { verb: 'approve', target: goodTarget, rev: 1 }),
    cardAction(personal, stack.alex, {
      verb: 'approve',
      data: { verb: 'approve', target: goodTarget, rev: 1, justification: 'ok' },
    }),
    cardAction(personal, stack.alex, { verb: 'deny', data: { verb: 'deny', target: goodTarget, rev: 1 } }),
    cardAction(personal, stack.alex, {
      verb: 'refresh',
      data: { verb: 'refresh', target: goodTarget, rev: 1 },
      trigger: 'automatic',
    }),
    cardAction(personal, stack.alex, {
      verb: 'retry',
      data: { verb: 'retry', target: goodTarget, rev: 1, decision: 'Approve' },
    }),
  ] as Record<string, unknown>[];
  const raw = ['', 'null', '[]', '"text"', '{', '{"type":', '42', 'x'.repeat(1000)];

  const statuses = new Map<number, number>();
  let sent = 0;
  const send = async (body: unknown) => {
    const res = await post(stack.botUrl, body);
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    sent++;
    if (res.status >= 500)
      throw new Error(
        `HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)} for ${JSON.stringify(body).slice(200, 1200)}`,
      );
  };
  for (const body of raw) await send(body);
  await send({ ...bases[0], text: 'y'.repeat(400_000) }); // over the body limit
  while (sent < 1000) {
    const base = bases[Math.floor(random() * bases.length)] as Record<string, unknown>;
    await send(mutate(base, random));
  }
  await stack.app.bot.idle();

  const health = await fetch(`${stack.botUrl}/healthz`);
  expect(health.status).toBe(200);
  console.log(`fuzz: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);

  const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const LITERAL = /^(\$batch|[A-Za-z]+(\(on='[a-z]+'\))?)$/;
  for (const request of stack.sandbox.requests) {
    for (const segment of request.path.split('/').filter(Boolean)) {
      expect(GUID.test(segment) || LITERAL.test(segment)).toBe(true);
    }
  }
}, 120_000);

it("shows a requestor's markdown link and mention as literal text, not a link", async () => {
  const seeded = stack.sandbox.seed.accessPackageRequest({
    requestor: stack.megan.aadObjectId,
    accessPackage: { displayName: 'Injection test package' },
    justification: 'Please approve [click](https://evil.example) <at>Alex Wilber</at>\n# Heading\n- list',
    stages: [{ approvers: [stack.alex.aadObjectId] }],
  });
  const before = stack.connector.calls.length;
  await post(
    stack.botUrl,
    messageActivity({ serviceUrl: stack.connector.serviceUrl }, stack.alex, 'pending'),
  );
  const card = stack.connector.calls
    .slice(before)
    .map((c) => cardOf(c.activity))
    .find((c) => JSON.stringify(c).includes(seeded.approvalId));
  expect(card).toBeTruthy();
  expect(cardText(card)).toContain('[click](https://evil.example)');
  // Markdown is only rendered in TextBlocks and Facts; the requestor's text never lands in one.
  const rendersMarkdown: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (
      (o.type === 'TextBlock' && typeof o.text === 'string') ||
      (typeof o.title === 'string' && typeof o.value === 'string')
    ) {
      rendersMarkdown.push(String(o.text ?? `${o.title} ${o.value}`));
    }
    Object.values(o).forEach(walk);
  };
  walk(card);
  expect(rendersMarkdown.join('\n')).not.toMatch(/evil\.example|<at>/);
});
