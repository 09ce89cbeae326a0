/**
 * The Teams app package: built from a bot id, validated offline (schema bundled with @microsoft/app-manifest,
 * never fetched) plus our own rules; zip layout; icons; errors that name the field or variable at fault.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import type { BuildResult, Manifest } from '../../scripts/package-lib';
import {
  DEFAULT_TEAMS_APP_ID,
  LOCAL_BOT_ID,
  MANIFEST_DIR,
  ROOT,
  TEMPLATE_PATH,
  buildPackage,
  bundledSchemaPath,
  checkIcon,
  createZip,
  drawColorIcon,
  drawOutlineIcon,
  inspectPackage,
  readTemplate,
  resolveOptions,
  validateManifest,
} from '../../scripts/package-lib';

// @microsoft/app-manifest 1.1.2 requires its own strip-bom 5, which is ESM only: Node >= 20.19 loads it
// (require(esm)), jest's module registry cannot. It is used only to read manifest files, never to validate, so
// a CommonJS stand-in with the same behaviour is enough here.
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
  id: string;
  accentColor: string;
  developer: Record<string, string>;
  description: { short: string; full: string };
  icons: { color: string; outline: string };
  bots: {
    botId: string;
    scopes: string[];
    isNotificationOnly: boolean;
    commandLists: { scopes: string[] }[];
  }[];
  permissions: string[];
  validDomains: string[];
  webApplicationInfo: { id: string; resource: string };
}

const asTest = (m: Manifest | null): TestManifest => {
  if (m === null) throw new Error('no manifest');
  return m as unknown as TestManifest;
};
const pixels = (png: Buffer) => PNG.sync.read(png);
const memo = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};
const colorIcon = memo(drawColorIcon);
const outlineIcon = memo(drawOutlineIcon);

// ---- network guard: any socket, http(s) request or fetch made while validating is recorded and refused ----

const attempts: string[] = [];
const saved = {
  fetch: globalThis.fetch,
  httpRequest: http.request,
  httpGet: http.get,
  httpsRequest: https.request,
  httpsGet: https.get,
  connect: net.Socket.prototype.connect,
  tlsConnect: tls.connect,
};
function refuse(what: string): never {
  attempts.push(what);
  throw new Error(`network access attempted in a test: ${what}`);
}

function blockNetwork(): void {
  globalThis.fetch = ((input: unknown) => Promise.reject(refuse(`fetch ${String(input)}`))) as typeof fetch;
  http.request = (() => refuse('http.request')) as unknown as typeof http.request;
  http.get = (() => refuse('http.get')) as unknown as typeof http.get;
  https.request = (() => refuse('https.request')) as unknown as typeof https.request;
  https.get = (() => refuse('https.get')) as unknown as typeof https.get;
  net.Socket.prototype.connect = function () {
    return refuse('net.Socket.connect');
  } as typeof net.Socket.prototype.connect;
  (tls as { connect: typeof tls.connect }).connect = (() => refuse('tls.connect')) as typeof tls.connect;
}

function restoreNetwork(): void {
  globalThis.fetch = saved.fetch;
  http.request = saved.httpRequest;
  http.get = saved.httpGet;
  https.request = saved.httpsRequest;
  https.get = saved.httpsGet;
  net.Socket.prototype.connect = saved.connect;
  (tls as { connect: typeof tls.connect }).connect = saved.tlsConnect;
}

describe('Teams app package (offline)', () => {
  let built: BuildResult;

  beforeAll(async () => {
    blockNetwork();
    built = await buildPackage(resolveOptions(ENV));
  });
  afterAll(restoreNetwork);
  afterEach(() => {
    expect(attempts).toEqual([]);
  });

  it('builds from a bot id and validates against the bundled schema with zero errors', () => {
    expect(built.errors).toEqual([]);
    const m = asTest(built.manifest);
    expect(built.schemaVersion).toBe(m.manifestVersion);
    expect(m.$schema).toBe(
      `https://developer.microsoft.com/json-schemas/teams/v${m.manifestVersion}/MicrosoftTeams.schema.json`,
    );
    expect(bundledSchemaPath(m.$schema)).toMatchObject({ version: m.manifestVersion });
    expect(m.id).toBe(DEFAULT_TEAMS_APP_ID);
    expect(m.bots[0]).toMatchObject({
      botId: BOT_ID,
      scopes: ['personal', 'team', 'groupChat'],
      isNotificationOnly: false,
    });
    expect(m.bots[0]?.commandLists.map((l) => l.scopes)).toEqual([['personal'], ['team', 'groupChat']]);
    expect(m.webApplicationInfo).toEqual({ id: BOT_ID, resource: `api://botid-${BOT_ID}` });
    expect(m.validDomains).toEqual(['token.botframework.com', DOMAIN]);
    expect(m.permissions).toEqual(['identity', 'messageTeamMembers']);
    expect(m.developer.privacyUrl).toBe(`https://${DOMAIN}/privacy`);
    expect(JSON.stringify(m)).not.toMatch(/\{\{/);
  });

  it('signs users in through a second app registration when SSO_APP_ID names one (bot as managed identity)', async () => {
    const sso = 'a1b2c3d4-0000-4000-8000-1234567890ab';
    const result = await buildPackage(resolveOptions({ ...ENV, SSO_APP_ID: sso.toUpperCase() }));
    expect(result.errors).toEqual([]);
    const m = asTest(result.manifest);
    expect(m.bots[0]?.botId).toBe(BOT_ID);
    expect(m.webApplicationInfo).toEqual({ id: sso, resource: `api://botid-${BOT_ID}` });
    const wrong = await validateManifest(m, { botId: BOT_ID, ssoAppId: DEFAULT_TEAMS_APP_ID });
    expect(wrong.errors).toEqual([
      expect.stringMatching(/^manifest\.json \/webApplicationInfo\/id: must equal SSO_APP_ID/),
    ]);
    const unexpected = await validateManifest(m, { botId: BOT_ID });
    expect(unexpected.errors).toEqual([
      expect.stringMatching(/^manifest\.json \/webApplicationInfo\/id: must equal the bot id/),
    ]);
  });

  it('puts exactly manifest.json, color.png and outline.png at the zip root', async () => {
    const zip = await JSZip.loadAsync(built.zip);
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    expect(Object.values(zip.files).some((f) => f.dir)).toBe(false);
    const inZip = JSON.parse((await zip.file('manifest.json')?.async('string')) ?? 'null') as unknown;
    expect(inZip).toEqual(built.manifest);
  });

  it('ships a 192x192 opaque colour icon and a 32x32 white-on-transparent outline icon', async () => {
    const zip = await JSZip.loadAsync(built.zip);
    const color = pixels((await zip.file('color.png')?.async('nodebuffer')) ?? Buffer.alloc(0));
    const outline = pixels((await zip.file('outline.png')?.async('nodebuffer')) ?? Buffer.alloc(0));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);

    let transparent = 0;
    let visible = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      if (outline.data[i + 3] === 0) transparent++;
      else {
        visible++;
        expect([outline.data[i], outline.data[i + 1], outline.data[i + 2]]).toEqual([255, 255, 255]);
      }
    }
    expect(transparent).toBeGreaterThan(32 * 32 * 0.5);
    expect(visible).toBeGreaterThan(0);
    expect(outline.data[3]).toBe(0); // top-left corner is background
    for (let i = 3; i < color.data.length; i += 4)
      if (color.data[i] !== 255) throw new Error('color.png has transparency');
  });

  it('keeps the committed icons identical to what scripts/make-icons.mjs draws', () => {
    // Pixels, not bytes, so that a different zlib cannot fail it. Buffer.equals: toEqual is slow on 147 kB.
    const same = (file: string, drawn: Buffer) =>
      pixels(readFileSync(path.join(MANIFEST_DIR, file))).data.equals(pixels(drawn).data);
    expect(same('color.png', colorIcon())).toBe(true);
    expect(same('outline.png', outlineIcon())).toBe(true);
  });

  it.each<[string, (m: TestManifest) => void, RegExp]>([
    ['accentColor "white"', (m) => void (m.accentColor = 'white'), /\/accentColor must match pattern/],
    [
      'no developer.privacyUrl',
      (m) => void delete m.developer.privacyUrl,
      /\/developer must have required property 'privacyUrl'/,
    ],
    [
      'a bot id that is not a GUID',
      (m) => void (m.bots[0] && (m.bots[0].botId = 'approvals-bot')),
      /\/bots\/0\/botId/,
    ],
    [
      'a short description over 80 characters',
      (m) => void (m.description.short = 'x'.repeat(81)),
      /\/description\/short/,
    ],
    [
      'another bot id than MicrosoftAppId',
      (m) => void (m.bots[0] && (m.bots[0].botId = DEFAULT_TEAMS_APP_ID)),
      /\/bots\/0\/botId: must equal MicrosoftAppId/,
    ],
    [
      'a wrong webApplicationInfo.resource',
      (m) => void (m.webApplicationInfo.resource = `api://${BOT_ID}`),
      /\/webApplicationInfo\/resource: must be "api:\/\/botid-/,
    ],
    [
      'no token.botframework.com in validDomains',
      (m) => void (m.validDomains = [DOMAIN]),
      /\/validDomains: must include token\.botframework\.com/,
    ],
    [
      'a URL in validDomains',
      (m) => void m.validDomains.push('https://approvals.contoso.com/api'),
      /\/validDomains\/2: must be a host name/,
    ],
    [
      'an icon in a folder',
      (m) => void (m.icons.outline = 'icons/outline.png'),
      /\/icons\/outline: must be a file name at the package root/,
    ],
    [
      'a manifestVersion that does not match $schema',
      (m) => void (m.manifestVersion = '1.24'),
      /\/manifestVersion/,
    ],
  ])('reports %s as invalid, naming the field', async (_case, breakIt, message) => {
    const manifest = structuredClone(asTest(built.manifest));
    breakIt(manifest);
    const { errors } = await validateManifest(manifest, { botId: BOT_ID });
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  it('refuses a $schema it does not bundle instead of fetching it', async () => {
    for (const [schema, message] of [
      [
        'https://example.com/teams/MicrosoftTeams.schema.json',
        /\/\$schema: .* not a developer\.microsoft\.com/,
      ],
      [
        'https://developer.microsoft.com/json-schemas/teams/v1.18/MicrosoftTeams.schema.json',
        /v1\.18 is not bundled/,
      ],
    ] as const) {
      const manifest = { ...asTest(built.manifest), $schema: schema };
      const { errors } = await validateManifest(manifest);
      expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    }
  });

  it('would catch a network request (the guard works)', async () => {
    const { AppManifestUtils } = await import('@microsoft/app-manifest');
    await expect(AppManifestUtils.fetchSchema('https://example.com/not-bundled.json')).rejects.toThrow(
      /network access/,
    );
    expect(attempts).toEqual(['fetch https://example.com/not-bundled.json']);
    attempts.length = 0;
  });

  it('rejects icons of the wrong size or colours', () => {
    expect(checkIcon('outline', 'outline.png', colorIcon())).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/outline\.png: the outline icon must be 32x32 pixels, got 192x192/),
        expect.stringMatching(/outline\.png: the outline icon must have a transparent background/),
        expect.stringMatching(/outline\.png: .* only white and transparent pixels/),
      ]),
    );
    expect(checkIcon('color', 'color.png', outlineIcon())).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/color\.png: the color icon must be 192x192 pixels, got 32x32/),
      ]),
    );
    const red = pixels(outlineIcon());
    const lit = red.data.findIndex((v, i) => i % 4 === 3 && v === 255) - 3;
    red.data[lit + 1] = 0;
    red.data[lit + 2] = 0;
    expect(checkIcon('outline', 'outline.png', PNG.sync.write(red))).toEqual([
      'outline.png: the outline icon may hold only white and transparent pixels (1 others)',
    ]);
    expect(checkIcon('color', 'color.png', Buffer.from('not a png'))).toEqual([
      expect.stringMatching(/color\.png: not a readable PNG/),
    ]);
  });

  it('rejects a zip with a folder, an extra file or a missing icon', async () => {
    const manifest = JSON.stringify(built.manifest);
    const zip = await createZip({
      'manifest.json': manifest,
      'icons/color.png': colorIcon(),
      'outline.png': outlineIcon(),
      'notes.txt': 'hello',
    });
    const { errors } = await inspectPackage(zip, { botId: BOT_ID });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/"icons\/color\.png" is in a folder/),
        expect.stringMatching(/icons\.color names "color\.png", which is not at the zip root/),
        expect.stringMatching(/unexpected file "notes\.txt"/),
      ]),
    );
    const noManifest = await inspectPackage(await createZip({ 'color.png': colorIcon() }));
    expect(noManifest.errors).toEqual(['package: manifest.json is missing from the zip root']);
  });
});

describe('package settings', () => {
  it('fails without MicrosoftAppId, naming it', () => {
    expect(() => resolveOptions({})).toThrow(/MicrosoftAppId is required/);
    expect(() => resolveOptions({ MicrosoftAppId: 'my-bot' })).toThrow(
      /MicrosoftAppId must be .* \(a GUID\), got "my-bot"/,
    );
  });

  it('refuses an SSO_APP_ID that is not a GUID', () => {
    expect(() => resolveOptions({ ...ENV, SSO_APP_ID: 'approvals-sso' })).toThrow(
      /SSO_APP_ID must be the client id \(a GUID\)/,
    );
    expect(resolveOptions(ENV).ssoAppId).toBe(BOT_ID);
  });

  it('uses an obviously fake bot id only with --local', () => {
    expect(resolveOptions({}, { local: true })).toMatchObject({
      botId: LOCAL_BOT_ID,
      botDomain: 'localhost',
    });
    expect(LOCAL_BOT_ID).toBe('00000000-0000-0000-0000-000000000000');
  });

  it('reads TEAMS_APP_ID, BOT_DOMAIN (or BOT_ENDPOINT) and APP_VERSION, and names the wrong ones', () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    expect(resolveOptions(ENV)).toMatchObject({
      teamsAppId: DEFAULT_TEAMS_APP_ID,
      botDomain: DOMAIN,
      version,
    });
    expect(
      resolveOptions({
        MicrosoftAppId: BOT_ID,
        TEAMS_APP_ID: 'C0FFEE00-1111-4222-8333-444455556666',
        BOT_ENDPOINT: 'https://bot.fabrikam.net/api/messages',
        APP_VERSION: '2.3.4',
      }),
    ).toMatchObject({
      teamsAppId: 'c0ffee00-1111-4222-8333-444455556666',
      botDomain: 'bot.fabrikam.net',
      version: '2.3.4',
    });
    let problems: readonly string[] = [];
    try {
      resolveOptions({
        MicrosoftAppId: BOT_ID,
        TEAMS_APP_ID: 'x',
        BOT_DOMAIN: 'https://a.b/c',
        APP_VERSION: '1.0',
      });
    } catch (error) {
      problems = (error as { problems: readonly string[] }).problems;
    }
    expect(problems).toEqual([
      expect.stringMatching(/^TEAMS_APP_ID must be a GUID/),
      expect.stringMatching(/^APP_VERSION must be three numbers/),
      expect.stringMatching(/^BOT_DOMAIN must be a host name/),
    ]);
  });

  it('has a template with every placeholder the renderer fills', () => {
    const text = readFileSync(TEMPLATE_PATH, 'utf8');
    for (const name of ['APP_ID', 'BOT_ID', 'BOT_DOMAIN', 'APP_VERSION'])
      expect(text).toContain(`{{${name}}}`);
    expect(readTemplate()).toMatchObject({ icons: { color: 'color.png', outline: 'outline.png' } });
  });
});

describe('node scripts/package.mjs', () => {
  const script = path.join(ROOT, 'scripts', 'package.mjs');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'teams-package-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string>) => {
    const settings =
      /^(MicrosoftAppId|TEAMS_APP_ID|BOT_DOMAIN|BOT_ENDPOINT|WEBSITE_HOSTNAME|APP_VERSION|DEVELOPER_.*)$/;
    const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !settings.test(name)));
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [script, ...args],
        { cwd: ROOT, env: { ...clean, ...env } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  it('exits non-zero and names MicrosoftAppId when it is missing', async () => {
    const out = path.join(dir, 'missing.zip');
    const result = await run(['--out', out], {});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/MicrosoftAppId is required/);
  });

  it('writes a valid package and prints its path and a summary', async () => {
    const out = path.join(dir, 'approvals-teams-app.zip');
    const result = await run(['--out', out], ENV);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const [printedPath, summary] = result.stdout.trim().split('\n');
    expect(printedPath).toBe(out);
    expect(summary).toMatch(new RegExp(`bot ${BOT_ID}.*3 files.*checks passed`));
    const report = await inspectPackage(readFileSync(out), { botId: BOT_ID });
    expect(report.errors).toEqual([]);
  });
});
