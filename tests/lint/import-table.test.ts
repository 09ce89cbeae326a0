import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The internal import table (eslint.config.mjs) holds: a file that imports what its folder may not is an
 * ESLint error, one that keeps to the table is not. Each case lints a small fixture as if it lived in src/.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

/** ESLint's own command line, as `npm test` runs it, on code read from stdin as if it were `file`. */
async function problems(file: string, code: string): Promise<string[]> {
  const run = spawnSync(process.execPath, [ESLINT, '--stdin', '--stdin-filename', file, '--format', 'json'], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

it.each([
  [
    'src/store/fixture.ts',
    "import { startNotifier } from '../notify';\nvoid startNotifier;\n",
    /store\/ may import only domain, log, bounded/,
  ],
  [
    'src/domain/fixture.ts',
    "import { createGovernanceClient } from '../graph';\nvoid createGovernanceClient;\n",
    /domain\/ may import only nothing else/,
  ],
  [
    'src/cards/fixture.ts',
    "import { quoted } from '../notify/commands';\nvoid quoted;\n",
    /cards\/ may import only/,
  ],
  [
    'src/graph/fixture.ts',
    "import { startSandbox } from '../sandbox';\nvoid startSandbox;\n",
    /graph\/ may import only/,
  ],
  [
    'src/sandbox/fixture.ts',
    "import { isGuid } from '../domain';\nvoid isGuid;\n",
    /sandbox\/ may import only log/,
  ],
  [
    'src/decisions/fixture.ts',
    "import * as restify from 'restify';\nvoid restify;\n",
    /decisions\/ may not use restify/,
  ],
  [
    'src/notify/fixture.ts',
    "import { TurnContext } from 'botbuilder';\nvoid TurnContext;\n",
    /notify\/ may not use botbuilder/,
  ],
])('%s: an import the table forbids is an error', async (file, code, message) => {
  expect(await problems(file, code)).toEqual([expect.stringMatching(message)]);
});

it.each([
  ['src/store/fixture.ts', "import { itemKey } from '../domain';\nvoid itemKey;\n"],
  ['src/bot/fixture.ts', "import { createDecisions } from '../decisions';\nvoid createDecisions;\n"],
  ['src/notify/fixture.ts', "import { quoted } from '../cards';\nvoid quoted;\n"],
])('%s: an import the table allows is not', async (file, code) => {
  expect(await problems(file, code)).toEqual([]);
});
