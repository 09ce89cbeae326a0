/**
 * The Teams app package: built from a bot id, validated offline by @microsoft/app-manifest (its bundled schema,
 * never fetched) plus the few checks of scripts/package-lib.js; each broken case names the check that refuses it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import {
  DEFAULT_TEAMS_APP_ID,
  LOCAL_BOT_ID,
  MANIFEST_DIR,
  TEMPLATE_PATH,
  buildPackage,
  createZip,
  inspectPackage,
  renderManifest,
  settings,
} from '../../scripts/package-lib';

// @microsoft/app-manifest requires strip-bom 5, an ES module that Node >= 20.19 loads with require() and jest's
// module registry cannot. The library uses it only to read manifest files, never to validate.
jest.mock(
  require.resolve('strip-bom', {
    paths: [require.resolve('@microsoft/app-manifest/package.json').replace(/package\.json$/, '')],
  }),
  () => ({ __esModule: true, default: (text: string) => text.replace(/^\uFEFF/, '') }),
);

const BOT_ID = '6c2f6f3e-58a1-4c0e-9d1b-3f2a7b9c1e44';
const DOMAIN = 'approvals.contoso.com';
const ENV = { MicrosoftAppId: BOT_ID, BOT_DOMAIN: DOMAIN };

/** The parts of a manifest the tests read or break. */
interface TestManifest {
  $schema: string;
  manifestVersion: string;
  version: string;
  id: string;
  accentColor: string;
  developer: Record<string, string>;
  description: { short: string };
  icons: { color: string; outline: string };
  bots: { botId: string; scopes: string[] }[];
  validDomains: string[];
  webApplicationInfo: { id: string; resource: string };
}

const icon = (name: string) => readFileSync(path.join(MANIFEST_DIR, name));
/** Width and height from the PNG header, read here independently of the code under test. */
const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];

// ---- network guard: a fetch or a socket opened while validating is recorded and refused ----
const attempts: string[] = [];
const saved = { fetch: globalThis.fetch, connect: net.Socket.prototype.connect };
function refuse(what: string): never {
  attempts.push(what);
  throw new Error(`network access attempted in a test: ${what}`);
}

describe('Teams app package (offline)', () => {
  let built: Awaited<ReturnType<typeof buildPackage>>;
  let manifest: TestManifest;

  /** The built package with its manifest changed by `change` (and other files if given), checked again. */
  async function recheck(change: (m: TestManifest) => void, files: Record<string, Buffer> = {}) {
    const broken = structuredClone(manifest);
    change(broken);
    const zip = await createZip({
      'manifest.json': JSON.stringify(broken),
      'color.png': icon('color.png'),
      'outline.png': icon('outline.png'),
      ...files,
    });
    return (await inspectPackage(zip, { botId: BOT_ID, ssoAppId: BOT_ID })).errors;
  }

  beforeAll(async () => {
    globalThis.fetch = ((input: unknown) => Promise.reject(refuse(`fetch ${String(input)}`))) as typeof fetch;
    net.Socket.prototype.connect = function () {
      return refuse('net.Socket.connect');
    } as typeof net.Socket.prototype.connect;
    built = await buildPackage(ENV);
    manifest = built.manifest as unknown as TestManifest;
  });
  afterAll(() => {
    globalThis.fetch = saved.fetch;
    net.Socket.prototype.connect = saved.connect;
  });
  afterEach(() => expect(attempts).toEqual([]));

  it('builds from a bot id and passes every check', () => {
    expect(built.errors).toEqual([]);
    expect(manifest.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(manifest.id).toBe(DEFAULT_TEAMS_APP_ID);
    expect(manifest.bots[0]).toMatchObject({ botId: BOT_ID, scopes: ['personal', 'team', 'groupChat'] });
    expect(manifest.webApplicationInfo).toEqual({ id: BOT_ID, resource: `api://botid-${BOT_ID}` });
    expect(manifest.validDomains).toEqual(['token.botframework.com', DOMAIN]);
    expect(manifest.developer.privacyUrl).toBe(`https://${DOMAIN}/privacy`);
    expect(JSON.stringify(manifest)).not.toMatch(/\{\{/);
  });

  it('signs users in through a second app registration when SSO_APP_ID names one (bot as managed identity)', async () => {
    const sso = 'a1b2c3d4-0000-4000-8000-1234567890ab';
    const result = await buildPackage({ ...ENV, SSO_APP_ID: sso.toUpperCase() });
    expect(result.errors).toEqual([]);
    const m = result.manifest as unknown as TestManifest;
    expect(m.bots[0]?.botId).toBe(BOT_ID);
    expect(m.webApplicationInfo).toEqual({ id: sso, resource: `api://botid-${BOT_ID}` });
    // Checked against another expected sign-in app, or against the default (the bot's own id), it is refused.
    const zip = result.zip;
    expect((await inspectPackage(zip, { botId: BOT_ID, ssoAppId: DEFAULT_TEAMS_APP_ID })).errors).toEqual([
      expect.stringMatching(/^manifest\.json \/webApplicationInfo\/id: must be/),
    ]);
    expect((await inspectPackage(zip, { botId: BOT_ID, ssoAppId: BOT_ID })).errors).toEqual([
      expect.stringMatching(/^manifest\.json \/webApplicationInfo\/id: must be/),
    ]);
    expect(() => settings({ ...ENV, SSO_APP_ID: 'approvals-sso' })).toThrow(
      /SSO_APP_ID must be the client id \(a GUID\)/,
    );
  });

  it('holds manifest.json, a 192x192 color.png and a 32x32 outline.png at the zip root, nothing else', async () => {
    const zip = await JSZip.loadAsync(built.zip);
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(JSON.parse((await zip.file('manifest.json')?.async('string')) ?? 'null')).toEqual(manifest);
    const size = async (name: string) =>
      pngSize((await zip.file(name)?.async('nodebuffer')) ?? Buffer.alloc(24));
    expect(await size('color.png')).toEqual([192, 192]);
    expect(await size('outline.png')).toEqual([32, 32]);
    expect(await zip.file('color.png')?.async('nodebuffer')).toEqual(icon('color.png'));
  });

  it('is reproducible: the same settings give the same bytes', async () => {
    expect((await buildPackage(ENV)).zip.equals(built.zip)).toBe(true);
  });

  it.each<[string, (m: TestManifest) => void, RegExp]>([
    // the schema, through @microsoft/app-manifest
    [
      'a missing required field',
      (m) => void delete m.developer.privacyUrl,
      /^manifest\.json \/developer must have required property 'privacyUrl'/,
    ],
    [
      'an accentColor that is no colour',
      (m) => void (m.accentColor = 'white'),
      /\/accentColor must match pattern/,
    ],
    [
      'a short description over 80 characters',
      (m) => void (m.description.short = 'x'.repeat(81)),
      /\/description\/short must NOT have more than 80 characters/,
    ],
    [
      'a manifestVersion other than its $schema',
      (m) => void (m.manifestVersion = '1.24'),
      /\/manifestVersion must be equal to constant/,
    ],
    // our checks
    [
      'a bot id other than MicrosoftAppId',
      (m) => void (m.bots[0] && (m.bots[0].botId = DEFAULT_TEAMS_APP_ID)),
      /\/bots\/0\/botId: must equal MicrosoftAppId 6c2f6f3e/,
    ],
    [
      'a webApplicationInfo.id other than the bot id',
      (m) => void (m.webApplicationInfo.id = DEFAULT_TEAMS_APP_ID),
      /\/webApplicationInfo\/id: must be "6c2f6f3e-.*" for single sign-on/,
    ],
    [
      'a webApplicationInfo.resource other than api://botid-<bot id>',
      (m) => void (m.webApplicationInfo.resource = `api://${BOT_ID}`),
      /\/webApplicationInfo\/resource: must be "api:\/\/botid-6c2f6f3e-.*" for single sign-on/,
    ],
    [
      'validDomains without token.botframework.com',
      (m) => void (m.validDomains = [DOMAIN]),
      /\/validDomains: must include token\.botframework\.com/,
    ],
    [
      'a URL in validDomains',
      (m) => void m.validDomains.push('https://approvals.contoso.com/api'),
      /\/validDomains\/2: must be a host name without scheme, port or path/,
    ],
    ['a version of two numbers', (m) => void (m.version = '1.0'), /\/version: must be three numbers/],
  ])('refuses %s, naming the field', async (_case, change, message) => {
    expect(await recheck(change)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('refuses icons of the wrong size, a file that is no PNG, and a missing icon', async () => {
    expect(await recheck(() => undefined, { 'color.png': icon('outline.png') })).toEqual([
      'color.png: the color icon must be 192x192 pixels, got 32x32',
    ]);
    expect(await recheck(() => undefined, { 'outline.png': Buffer.from('not a png') })).toEqual([
      'outline.png: not a PNG file',
    ]);
    expect(await recheck((m) => void (m.icons.outline = 'outline-32.png'))).toEqual([
      'package: icons.outline names "outline-32.png", which is not in the zip',
    ]);
  });

  it('refuses a $schema that @microsoft/app-manifest does not bundle instead of fetching it', async () => {
    const v118 = 'https://developer.microsoft.com/json-schemas/teams/v1.18/MicrosoftTeams.schema.json';
    expect(await recheck((m) => void (m.$schema = v118))).toEqual([
      'manifest.json /$schema: v1.18 is not bundled with @microsoft/app-manifest, and schemas are never fetched',
    ]);
    expect(await recheck((m) => void (m.$schema = 'https://example.com/teams.schema.json'))).toEqual([
      'manifest.json /$schema: must be a Teams manifest schema URL, got "https://example.com/teams.schema.json"',
    ]);
  });

  it('would catch a network request (the guard works)', async () => {
    const { AppManifestUtils } = await import('@microsoft/app-manifest');
    await expect(AppManifestUtils.fetchSchema('https://example.com/not-bundled.json')).rejects.toThrow(
      /network access/,
    );
    expect(attempts).toEqual(['fetch https://example.com/not-bundled.json']);
    attempts.length = 0;
  });

  it('refuses a zip without manifest.json, and a file that is no zip', async () => {
    expect((await inspectPackage(await createZip({ 'color.png': icon('color.png') }))).errors).toEqual([
      'package: no manifest.json at the zip root',
    ]);
    expect((await inspectPackage(Buffer.from('not a zip'))).errors).toEqual(['package: not a readable zip']);
  });
});

describe('package settings', () => {
  it('needs MicrosoftAppId, except with --local, which uses an obviously fake bot id', () => {
    expect(() => settings({})).toThrow(/^MicrosoftAppId is required/);
    expect(settings({}, { local: true })).toMatchObject({
      MicrosoftAppId: LOCAL_BOT_ID,
      BOT_DOMAIN: 'localhost',
    });
  });

  it('takes the bot domain from BOT_DOMAIN, else BOT_ENDPOINT, else WEBSITE_HOSTNAME', () => {
    const env = { MicrosoftAppId: BOT_ID, BOT_ENDPOINT: 'https://bot.fabrikam.net/api/messages' };
    expect(settings({ ...env, BOT_DOMAIN: DOMAIN }).BOT_DOMAIN).toBe(DOMAIN);
    expect(settings({ ...env, WEBSITE_HOSTNAME: 'x.azurewebsites.net' }).BOT_DOMAIN).toBe('bot.fabrikam.net');
    expect(settings({ MicrosoftAppId: BOT_ID, WEBSITE_HOSTNAME: 'x.azurewebsites.net' })).toMatchObject({
      BOT_DOMAIN: 'x.azurewebsites.net',
      DEVELOPER_TERMS_URL: 'https://x.azurewebsites.net/terms',
    });
    expect(() => settings({ ...env, BOT_ENDPOINT: 'bot.fabrikam.net' })).toThrow(/^BOT_ENDPOINT must be/);
  });

  it('names the variable behind each wrong value in the manifest', async () => {
    const { errors } = await buildPackage({
      MicrosoftAppId: 'my-bot',
      TEAMS_APP_ID: 'x',
      BOT_DOMAIN: 'https://a.b/c',
      APP_VERSION: '1.0',
    });
    for (const [field, variable] of [
      ['/bots/0/botId must match pattern', 'MicrosoftAppId'],
      ['/id must match pattern', 'TEAMS_APP_ID'],
      ['/validDomains/1: must be a host name', 'BOT_DOMAIN'],
      ['/version: must be three numbers', 'APP_VERSION'],
    ]) {
      expect(errors).toContainEqual(
        expect.stringMatching(new RegExp(`^manifest\\.json ${field}.*\\(from ${variable}\\)$`)),
      );
    }
  });

  it('fills every {{VARIABLE}} of the template, JSON-escaped, and refuses one it has no value for', () => {
    const values = settings({ ...ENV, DEVELOPER_NAME: 'Contoso "IT"' });
    const text = renderManifest(values);
    expect(JSON.parse(text)).toMatchObject({ developer: { name: 'Contoso "IT"' } });
    expect(text).not.toMatch(/\{\{/);
    expect(readFileSync(TEMPLATE_PATH, 'utf8')).toMatch(/"api:\/\/botid-\{\{MicrosoftAppId\}\}"/);
    expect(() => renderManifest(values, '{"id": "{{APP_ID}}"}')).toThrow('no value for {{APP_ID}}');
  });
});

describe('node scripts/package.mjs', () => {
  const script = path.join(__dirname, '../../scripts/package.mjs');
  let dir: string;
  beforeAll(() => void (dir = mkdtempSync(path.join(os.tmpdir(), 'teams-package-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string>) => {
    const ours =
      /^(MicrosoftAppId|TEAMS_APP_ID|BOT_DOMAIN|BOT_ENDPOINT|WEBSITE_HOSTNAME|APP_VERSION|DEVELOPER_.*)$/;
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !ours.test(name)));
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [script, ...args], { env: { ...clean, ...env } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  it('exits non-zero, writes nothing and names the problem', async () => {
    const out = path.join(dir, 'refused.zip');
    const missing = await run(['--out', out], {});
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/MicrosoftAppId is required/);
    const wrong = await run(['--out', out], { ...ENV, APP_VERSION: '1.0' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/\/version: must be three numbers .*\(from APP_VERSION\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('writes a valid package, prints its path and a summary, and --check accepts it only for its bot', async () => {
    const out = path.join(dir, 'approvals-teams-app.zip');
    const result = await run(['--out', out], ENV);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [printedPath, summary] = result.stdout.trim().split('\n');
    expect(printedPath).toBe(out);
    expect(summary).toMatch(new RegExp(`bot ${BOT_ID}.*3 files.*checks passed`));

    expect(await run(['--check', out], ENV)).toMatchObject({ code: 0, stderr: '' });
    const other = await run(['--check', out], { MicrosoftAppId: DEFAULT_TEAMS_APP_ID });
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(/\/bots\/0\/botId: must equal MicrosoftAppId c9770af4/);
  });
});
