import { cleanJustification } from '../../src/domain';
import type { Sandbox } from '../../src/sandbox';

/**
 * What the people in the tests typed, and what the bot wrote to Graph: the whole suite checks that no
 * justification the bot sends was made up (tests/support/patch-scan.ts). Every string a test posts to the
 * bot counts as typed; every sandbox a bot talks to is watched.
 */

const typed = new Set<string>();
const watched: Sandbox[] = [];

function clean(text: string): string {
  const cleaned = cleanJustification(text);
  return cleaned.ok ? cleaned.value : text;
}

/** Every string in a body posted to the bot, as the bot would clean it. */
export function noteTyped(body: unknown): void {
  const walk = (node: unknown): void => {
    if (typeof node === 'string') {
      typed.add(clean(node));
      // A raw JSON body (the fuzz posts bytes): its strings count too.
      if (node.trimStart().startsWith('{')) {
        try {
          walk(JSON.parse(node) as unknown);
        } catch {
          // not JSON
        }
      }
    } else if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') Object.values(node).forEach(walk);
  };
  walk(body);
}

/** A sandbox a bot under test writes to: its PATCH bodies are checked when the test file ends. */
export function watchSandbox(sandbox: Sandbox): Sandbox {
  watched.push(sandbox);
  return sandbox;
}

/** Justifications written by a bot that nobody typed. */
export function madeUpJustifications(): string[] {
  const found: string[] = [];
  for (const sandbox of watched) {
    for (const request of sandbox.requests) {
      if (request.method !== 'PATCH' && request.method !== 'POST') continue;
      const body = request.body as { justification?: unknown } | null;
      const words = body && typeof body === 'object' ? body.justification : undefined;
      if (words === undefined) continue;
      if (typeof words !== 'string' || words === '' || !typed.has(clean(words)))
        found.push(`${request.method} ${request.path}: ${JSON.stringify(words)}`);
    }
  }
  return found;
}
