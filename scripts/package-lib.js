// The Teams app package: manifest rendering, icon drawing, offline validation and the zip.
// Plain CommonJS so that `node scripts/package.mjs` runs without a build step and jest (ts-jest, CommonJS)
// can require it; the types are in package-lib.d.ts beside this file.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { PNG } = require('pngjs');
const JSZip = require('jszip');

const ROOT = path.resolve(__dirname, '..');
const MANIFEST_DIR = path.join(ROOT, 'manifest');
const TEMPLATE_PATH = path.join(MANIFEST_DIR, 'manifest.template.json');
const DEFAULT_OUTPUT = path.join(ROOT, 'dist', 'approvals-teams-app.zip');

/** The Teams app id of this app when TEAMS_APP_ID is not set (one fixed id, so re-uploads update the app). */
const DEFAULT_TEAMS_APP_ID = 'c9770af4-4dac-4643-85a9-8c84481ddd61';
/** Stand-in bot id for `--local` packages: obviously not a real Microsoft App ID. */
const LOCAL_BOT_ID = '00000000-0000-0000-0000-000000000000';
const TOKEN_DOMAIN = 'token.botframework.com';
const COLOR_SIZE = 192;
const OUTLINE_SIZE = 32;
/** Fixed entry dates make the zip byte-for-byte reproducible (DOS dates start in 1980). */
const ZIP_DATE = new Date(2020, 0, 1, 0, 0, 0);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The `semver` definition of the Teams schema: three numbers, no pre-release tag. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const HOST_NAME =
  /^(?=.{1,253}$)(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const SCHEMA_URL =
  /^https:\/\/developer\.microsoft\.com(?:\/[a-z]{2}(?:-[a-z]{2})?)?\/json-schemas\/teams\/(v1\.\d+|vDevPreview)\/MicrosoftTeams\.schema\.json$/i;
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

class PackageError extends Error {
  /** @param {string} summary @param {readonly string[]} problems */
  constructor(summary, problems) {
    super(`${summary}:\n- ${problems.join('\n- ')}`);
    this.name = 'PackageError';
    this.code = 'approvals.package.invalid';
    this.problems = problems;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Options from the environment

function text(env, name) {
  const value = env[name];
  return value === undefined || value.trim() === '' ? null : value.trim();
}

function httpsUrl(env, name, fallback, problems) {
  const raw = text(env, name);
  if (raw === null) return fallback;
  try {
    if (new URL(raw).protocol === 'https:') return raw;
  } catch {
    // reported below
  }
  problems.push(`${name} must be an https:// URL, got "${raw}"`);
  return fallback;
}

function packageVersion() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
}

function deriveDomain(env, problems) {
  const explicit = text(env, 'BOT_DOMAIN');
  if (explicit !== null) {
    if (!HOST_NAME.test(explicit)) {
      problems.push(
        `BOT_DOMAIN must be a host name such as approvals.contoso.com (no https://, port or path), got "${explicit}"`,
      );
    }
    return { domain: explicit.toLowerCase(), source: 'BOT_DOMAIN' };
  }
  const endpoint = text(env, 'BOT_ENDPOINT');
  if (endpoint !== null) {
    try {
      return { domain: new URL(endpoint).hostname.toLowerCase(), source: 'BOT_ENDPOINT' };
    } catch {
      problems.push(`BOT_ENDPOINT must be the bot's messaging endpoint URL, got "${endpoint}"`);
    }
  }
  const appService = text(env, 'WEBSITE_HOSTNAME');
  if (appService !== null && HOST_NAME.test(appService)) {
    return { domain: appService.toLowerCase(), source: 'WEBSITE_HOSTNAME' };
  }
  return { domain: 'localhost', source: 'default' };
}

/**
 * Reads the package settings from the environment. Throws a PackageError that names every missing or
 * wrong variable.
 */
function resolveOptions(env = process.env, flags = {}) {
  const local = flags.local === true;
  const problems = [];

  let botId = text(env, 'MicrosoftAppId');
  if (botId === null) {
    if (local) botId = LOCAL_BOT_ID;
    else {
      problems.push(
        "MicrosoftAppId is required: set it to the Azure Bot's Microsoft App ID (a GUID), or pass --local for a package with a placeholder bot id",
      );
    }
  } else if (!GUID.test(botId)) {
    problems.push(`MicrosoftAppId must be the bot's Microsoft App ID (a GUID), got "${botId}"`);
  }

  // The app registration that signs users in: the bot's own unless the bot runs as a managed identity,
  // which cannot expose an API (infra/README.md), and then a second registration does.
  const ssoAppId = text(env, 'SSO_APP_ID');
  if (ssoAppId !== null && !GUID.test(ssoAppId)) {
    problems.push(
      `SSO_APP_ID must be the client id (a GUID) of the app registration that signs users in, got "${ssoAppId}"`,
    );
  }

  const teamsAppId = text(env, 'TEAMS_APP_ID') ?? DEFAULT_TEAMS_APP_ID;
  if (!GUID.test(teamsAppId)) problems.push(`TEAMS_APP_ID must be a GUID, got "${teamsAppId}"`);

  const version = text(env, 'APP_VERSION') ?? packageVersion();
  if (!SEMVER.test(version)) {
    problems.push(`APP_VERSION must be three numbers such as 1.4.0 (no pre-release tag), got "${version}"`);
  }

  const { domain, source } = deriveDomain(env, problems);
  const developerName = text(env, 'DEVELOPER_NAME') ?? 'Identity Governance Team';
  if (developerName.length > 32) {
    problems.push(`DEVELOPER_NAME must be at most 32 characters, got ${developerName.length}`);
  }
  const site = `https://${domain}`;
  const developer = {
    name: developerName,
    websiteUrl: httpsUrl(env, 'DEVELOPER_WEBSITE_URL', `${site}/`, problems),
    privacyUrl: httpsUrl(env, 'DEVELOPER_PRIVACY_URL', `${site}/privacy`, problems),
    termsOfUseUrl: httpsUrl(env, 'DEVELOPER_TERMS_URL', `${site}/terms`, problems),
  };

  if (problems.length > 0) throw new PackageError('Cannot build the Teams app package', problems);
  return {
    botId: botId.toLowerCase(),
    ssoAppId: (ssoAppId ?? botId).toLowerCase(),
    teamsAppId: teamsAppId.toLowerCase(),
    botDomain: domain,
    botDomainSource: source,
    version,
    developer,
    local,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Manifest

function readTemplate(templatePath = TEMPLATE_PATH) {
  return JSON.parse(fs.readFileSync(templatePath, 'utf8'));
}

function placeholderValues(options) {
  return {
    APP_ID: options.teamsAppId,
    BOT_ID: options.botId,
    SSO_APP_ID: options.ssoAppId,
    BOT_DOMAIN: options.botDomain,
    APP_VERSION: options.version,
    DEVELOPER_NAME: options.developer.name,
    DEVELOPER_WEBSITE_URL: options.developer.websiteUrl,
    DEVELOPER_PRIVACY_URL: options.developer.privacyUrl,
    DEVELOPER_TERMS_URL: options.developer.termsOfUseUrl,
  };
}

function mapStrings(value, fn, pointer) {
  if (typeof value === 'string') return fn(value, pointer);
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, fn, `${pointer}/${i}`));
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const [key, v] of Object.entries(value)) out[key] = mapStrings(v, fn, `${pointer}/${key}`);
    return out;
  }
  return value;
}

/**
 * Fills the {{PLACEHOLDERS}} of the template (a parsed object: values are substituted inside strings, so
 * nothing can break the JSON). Throws on a placeholder it has no value for.
 */
function renderManifest(template, options) {
  const values = placeholderValues(options);
  const unknown = [];
  const manifest = mapStrings(
    template,
    (s, pointer) =>
      s.replace(PLACEHOLDER, (match, name) => {
        if (Object.prototype.hasOwnProperty.call(values, name)) return values[name];
        unknown.push(`${pointer || '/'}: no value for placeholder ${match}`);
        return match;
      }),
    '',
  );
  if (unknown.length > 0) throw new PackageError('Cannot render the manifest template', unknown);
  if (Array.isArray(manifest.validDomains)) manifest.validDomains = [...new Set(manifest.validDomains)];
  return manifest;
}

// ---------------------------------------------------------------------------------------------------------
// Offline schema validation

let appManifestModule = null;
function appManifest() {
  if (appManifestModule === null) {
    try {
      appManifestModule = require('@microsoft/app-manifest');
    } catch (error) {
      const message = String(error && error.message);
      const hint = /fs-extra/.test(message)
        ? ' (@microsoft/app-manifest 1.1.2 requires fs-extra without declaring it: install fs-extra as a dev dependency)'
        : error && error.code === 'ERR_REQUIRE_ESM'
          ? ' (its dependency strip-bom 5 is an ES module: Node.js 20.19 or later is needed to require it)'
          : '';
      throw new Error(`Cannot load @microsoft/app-manifest${hint}: ${error && error.message}`);
    }
  }
  return appManifestModule;
}

function bundledSchemasDir() {
  const pkg = require.resolve('@microsoft/app-manifest/package.json');
  return path.join(path.dirname(pkg), 'build', 'json-schemas', 'teams');
}

/**
 * The local file of the schema a `$schema` URL names, from the schemas @microsoft/app-manifest bundles.
 * Returns an error string instead when the URL is not one of them: we never fetch a schema.
 */
function bundledSchemaPath(schemaUrl) {
  if (typeof schemaUrl !== 'string')
    return { error: '/$schema: missing; it must name a Teams manifest schema' };
  const match = SCHEMA_URL.exec(schemaUrl);
  if (!match) {
    return {
      error: `/$schema: "${schemaUrl}" is not a developer.microsoft.com Teams manifest schema URL; validation is offline only`,
    };
  }
  const dir = bundledSchemasDir();
  const wanted = match[1].toLowerCase();
  const folder = fs.readdirSync(dir).find((name) => name.toLowerCase() === wanted);
  const file = folder && path.join(dir, folder, 'MicrosoftTeams.schema.json');
  if (!file || !fs.existsSync(file)) {
    return {
      error: `/$schema: ${match[1]} is not bundled with @microsoft/app-manifest, so it cannot be checked offline`,
    };
  }
  return { path: file, version: folder === 'vDevPreview' ? 'devPreview' : folder.slice(1) };
}

const schemaCache = new Map();
function loadSchema(file) {
  if (!schemaCache.has(file)) {
    // Same clean-up as AppManifestUtils.fetchSchema: some schemas carry \a and \v escapes JSON does not allow.
    const raw = fs.readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b');
    schemaCache.set(file, JSON.parse(raw));
  }
  return schemaCache.get(file);
}

/**
 * Validates against the bundled JSON schema with AppManifestUtils.validateAgainstSchema. The schema object
 * is passed in, so the library never looks for it on the network.
 */
async function validateSchema(manifest) {
  const located = bundledSchemaPath(manifest && manifest.$schema);
  if (located.error) return { errors: [located.error], schemaVersion: null };
  const { AppManifestUtils } = appManifest();
  const schema = loadSchema(located.path);
  const raw = await AppManifestUtils.validateAgainstSchema(manifest, schema);
  const errors = raw.map((message) => (message.startsWith(' ') ? `/${message}` : message));
  return { errors, schemaVersion: located.version };
}

function hasPlaceholders(manifest) {
  const found = [];
  mapStrings(
    manifest,
    (s, pointer) => {
      if (new RegExp(PLACEHOLDER.source).test(s)) found.push(`${pointer}: unresolved placeholder in "${s}"`);
      return s;
    },
    '',
  );
  return found;
}

function isRootFileName(name) {
  return typeof name === 'string' && name.length > 0 && !/[\\/]/.test(name) && name !== '.' && name !== '..';
}

/** Our own rules on top of the schema: the ones that make SSO and the bot work. */
function checkManifestRules(manifest, expected = {}) {
  const errors = [...hasPlaceholders(manifest)];
  const located = bundledSchemaPath(manifest.$schema);
  if (!located.error && manifest.manifestVersion !== located.version) {
    errors.push(
      `/manifestVersion: must be "${located.version}" to match $schema, got ${JSON.stringify(manifest.manifestVersion)}`,
    );
  }
  if (typeof manifest.version !== 'string' || !SEMVER.test(manifest.version)) {
    errors.push(`/version: must be three numbers such as 1.4.0, got ${JSON.stringify(manifest.version)}`);
  }
  if (expected.teamsAppId && String(manifest.id).toLowerCase() !== expected.teamsAppId.toLowerCase()) {
    errors.push(`/id: must be TEAMS_APP_ID ${expected.teamsAppId}, got ${JSON.stringify(manifest.id)}`);
  }

  const bots = Array.isArray(manifest.bots) ? manifest.bots : [];
  const bot = bots[0];
  let botId = null;
  if (bots.length !== 1 || !bot || typeof bot !== 'object') {
    errors.push('/bots: must hold exactly one bot');
  } else {
    botId = typeof bot.botId === 'string' ? bot.botId : null;
    if (botId === null || !GUID.test(botId)) {
      errors.push(
        `/bots/0/botId: must be the bot's Microsoft App ID (a GUID), got ${JSON.stringify(bot.botId)}`,
      );
    } else if (expected.botId && botId.toLowerCase() !== expected.botId.toLowerCase()) {
      errors.push(`/bots/0/botId: must equal MicrosoftAppId ${expected.botId}, got ${botId}`);
    }
    const scopes = Array.isArray(bot.scopes) ? bot.scopes : [];
    if (!scopes.includes('personal')) {
      errors.push('/bots/0/scopes: must include "personal" (single sign-on for card actions needs it)');
    }
    if (bot.isNotificationOnly === true) {
      errors.push('/bots/0/isNotificationOnly: must be false: users type commands and sign in');
    }
  }

  const web = manifest.webApplicationInfo;
  if (!web || typeof web !== 'object') {
    errors.push(
      '/webApplicationInfo: required for single sign-on ({ id: <sign-in app id>, resource: api://botid-<bot id> })',
    );
  } else if (botId !== null) {
    if (expected.ssoAppId) {
      if (String(web.id).toLowerCase() !== expected.ssoAppId.toLowerCase()) {
        errors.push(
          `/webApplicationInfo/id: must equal SSO_APP_ID ${expected.ssoAppId}, got ${JSON.stringify(web.id)}`,
        );
      }
    } else if (String(web.id).toLowerCase() !== botId.toLowerCase()) {
      errors.push(`/webApplicationInfo/id: must equal the bot id ${botId}, got ${JSON.stringify(web.id)}`);
    }
    const resource = `api://botid-${botId}`;
    if (String(web.resource).toLowerCase() !== resource.toLowerCase()) {
      errors.push(`/webApplicationInfo/resource: must be "${resource}", got ${JSON.stringify(web.resource)}`);
    }
  }

  const domains = Array.isArray(manifest.validDomains) ? manifest.validDomains : [];
  if (!domains.includes(TOKEN_DOMAIN)) {
    errors.push(`/validDomains: must include ${TOKEN_DOMAIN}, or the sign-in button does nothing`);
  }
  domains.forEach((domain, i) => {
    if (typeof domain !== 'string' || !HOST_NAME.test(domain)) {
      errors.push(
        `/validDomains/${i}: must be a host name without scheme, port or path, got ${JSON.stringify(domain)}`,
      );
    }
  });
  if (new Set(domains).size !== domains.length) errors.push('/validDomains: holds the same domain twice');
  if (expected.botDomain && !domains.includes(expected.botDomain)) {
    errors.push(`/validDomains: must include the bot domain ${expected.botDomain}`);
  }

  const icons = manifest.icons && typeof manifest.icons === 'object' ? manifest.icons : {};
  for (const key of ['color', 'outline']) {
    if (!isRootFileName(icons[key])) {
      errors.push(
        `/icons/${key}: must be a file name at the package root, got ${JSON.stringify(icons[key])}`,
      );
    }
  }
  if (isRootFileName(icons.color) && icons.color === icons.outline) {
    errors.push('/icons: color and outline must be two different files');
  }
  return errors;
}

/** Schema errors (from @microsoft/app-manifest, offline) followed by our own rules. */
async function validateManifest(manifest, expected = {}) {
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    return { errors: ['manifest.json: must be a JSON object'], schemaVersion: null };
  }
  const schema = await validateSchema(manifest);
  const rules = checkManifestRules(manifest, expected);
  return {
    errors: [...schema.errors.map((e) => `manifest.json ${e}`), ...rules.map((e) => `manifest.json ${e}`)],
    schemaVersion: schema.schemaVersion,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Icons

function readPng(name, buffer) {
  try {
    return { png: PNG.sync.read(buffer) };
  } catch (error) {
    return { error: `${name}: not a readable PNG (${error && error.message})` };
  }
}

function isWhite(data, i) {
  return data[i] >= 250 && data[i + 1] >= 250 && data[i + 2] >= 250;
}

/** The checks the Developer Portal makes and the npm validator does not: sizes and the outline's colours. */
function checkIcon(kind, name, buffer) {
  const { png, error } = readPng(name, buffer);
  if (error) return [error];
  const size = kind === 'color' ? COLOR_SIZE : OUTLINE_SIZE;
  const errors = [];
  if (png.width !== size || png.height !== size) {
    errors.push(`${name}: the ${kind} icon must be ${size}x${size} pixels, got ${png.width}x${png.height}`);
  }
  const { data, width, height } = png;
  let transparent = 0;
  let opaque = 0;
  let coloured = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] === 0) transparent++;
    else {
      if (data[i + 3] === 255) opaque++;
      if (!isWhite(data, i)) coloured++;
    }
  }
  if (kind === 'outline') {
    const corners = [0, width - 1, (height - 1) * width, height * width - 1];
    if (transparent === 0 || corners.some((p) => data[p * 4 + 3] !== 0)) {
      errors.push(`${name}: the outline icon must have a transparent background`);
    }
    if (coloured > 0) {
      errors.push(
        `${name}: the outline icon may hold only white and transparent pixels (${coloured} others)`,
      );
    }
    if (transparent === width * height) errors.push(`${name}: the outline icon is empty`);
  } else if (opaque !== width * height) {
    errors.push(
      `${name}: the color icon must be a full-bleed square with no transparent pixels (Teams masks it)`,
    );
  }
  return errors;
}

// Drawing: shapes are sampled 4x4 per pixel, so edges are anti-aliased and the output is deterministic.
const SAMPLES = 4;

/** Pixel bounds (inclusive-exclusive) of a set of points grown by `pad`, clipped to the canvas. */
function bounds(points, pad, size) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  const clip = (v) => Math.max(0, Math.min(size, v));
  return [
    clip(Math.floor(Math.min(...xs) - pad)),
    clip(Math.floor(Math.min(...ys) - pad)),
    clip(Math.ceil(Math.max(...xs) + pad) + 1),
    clip(Math.ceil(Math.max(...ys) + pad) + 1),
  ];
}

/** Fraction of each pixel inside the shape; only pixels within `box` are sampled, the rest are 0. */
function coverage(size, box, inside) {
  const [x0, y0, x1, y1] = box;
  const out = new Float64Array(size * size);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      let hits = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          if (inside(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES)) hits++;
        }
      }
      out[y * size + x] = hits / (SAMPLES * SAMPLES);
    }
  }
  return out;
}

function quadratic(p0, c, p1, steps) {
  const points = [];
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    points.push([
      u * u * p0[0] + 2 * u * t * c[0] + t * t * p1[0],
      u * u * p0[1] + 2 * u * t * c[1] + t * t * p1[1],
    ]);
  }
  return points;
}

/** A heraldic shield: flat top, straight sides, curving to a point at the bottom. */
function shieldPolygon(cx, top, width, height) {
  const half = width / 2;
  const shoulder = top + height * 0.42;
  const bottom = top + height;
  const left = cx - half;
  const right = cx + half;
  const dip = height * 0.05;
  return [
    [left, top + dip],
    ...quadratic([left, top + dip], [cx - half * 0.5, top + dip], [cx, top], 12),
    ...quadratic([cx, top], [cx + half * 0.5, top + dip], [right, top + dip], 12),
    [right, shoulder],
    ...quadratic([right, shoulder], [right, top + height * 0.82], [cx, bottom], 24),
    ...quadratic([cx, bottom], [left, top + height * 0.82], [left, shoulder], 24),
  ];
}

/** Even-odd fill test for a polygon; the edge crossings of each sample row are computed once. */
function polygonFill(polygon) {
  const rows = new Map();
  const crossings = (y) => {
    const xs = [];
    for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
      const [xi, yi] = polygon[i];
      const [xj, yj] = polygon[j];
      if (yi > y !== yj > y) xs.push(((xj - xi) * (y - yi)) / (yj - yi) + xi);
    }
    return xs;
  };
  return (x, y) => {
    let xs = rows.get(y);
    if (xs === undefined) rows.set(y, (xs = crossings(y)));
    let inside = false;
    for (const cx of xs) if (x < cx) inside = !inside;
    return inside;
  };
}

function distanceToSegment(x, y, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
}

/** Inside a stroke of the given width along the path (round caps and joins). */
function nearPath(points, closed, width, x, y) {
  const last = closed ? points.length : points.length - 1;
  for (let i = 0; i < last; i++) {
    if (distanceToSegment(x, y, points[i], points[(i + 1) % points.length]) <= width / 2) return true;
  }
  return false;
}

const ACCENT = [0x0f, 0x6c, 0xbd];
const ACCENT_DARK = [0x0a, 0x4f, 0x8f];

function encode(size, pixel) {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let i = 0; i < size * size; i++) {
    const [r, g, b, a] = pixel(i, i % size, Math.floor(i / size));
    png.data[i * 4] = r;
    png.data[i * 4 + 1] = g;
    png.data[i * 4 + 2] = b;
    png.data[i * 4 + 3] = a;
  }
  return PNG.sync.write(png, { colorType: 6, deflateLevel: 9 });
}

const mix = (a, b, t) => Math.round(a + (b - a) * t);

/**
 * 192x192: a full square in the accent blue (Teams applies its own rounded mask, and asks for a full-bleed
 * square) with a white shield that carries a check mark, inside the 120x120 safe area.
 */
function drawColorIcon() {
  const size = COLOR_SIZE;
  const shield = shieldPolygon(96, 38, 96, 116);
  const check = [
    [71, 96],
    [89, 114],
    [122, 78],
  ];
  const shieldCover = coverage(size, bounds(shield, 0, size), polygonFill(shield));
  const checkCover = coverage(size, bounds(check, 8, size), (x, y) => nearPath(check, false, 15, x, y));
  return encode(size, (i, _x, y) => {
    const t = y / (size - 1);
    let rgb = ACCENT.map((c, k) => mix(c, ACCENT_DARK[k], t * 0.6));
    rgb = rgb.map((c) => mix(c, 255, shieldCover[i]));
    rgb = rgb.map((c, k) => mix(c, ACCENT[k], checkCover[i]));
    return [...rgb, 255];
  });
}

/** 32x32: the shield's outline and the check mark, white on transparent. */
function drawOutlineIcon() {
  const size = OUTLINE_SIZE;
  const shield = shieldPolygon(16, 4, 22, 25);
  const check = [
    [10.5, 16],
    [14, 19.5],
    [21, 12],
  ];
  const cover = coverage(
    size,
    bounds(shield, 1.5, size),
    (x, y) => nearPath(shield, true, 2, x, y) || nearPath(check, false, 2.4, x, y),
  );
  return encode(size, (i) => [255, 255, 255, Math.round(255 * cover[i])]);
}

// ---------------------------------------------------------------------------------------------------------
// Zip

async function createZip(files) {
  const zip = new JSZip();
  for (const [name, data] of Object.entries(files))
    zip.file(name, data, { date: ZIP_DATE, createFolders: false });
  return zip.generateAsync({
    type: 'nodebuffer',
    compression: 'DEFLATE',
    compressionOptions: { level: 9 },
    platform: 'DOS',
  });
}

/**
 * Reads a package zip back and checks everything: layout, manifest (schema, offline, and our rules), icons.
 * `expected` pins values the manifest must carry (bot id, Teams app id, bot domain).
 */
async function inspectPackage(zipBuffer, expected = {}) {
  let zip;
  try {
    zip = await JSZip.loadAsync(zipBuffer);
  } catch (error) {
    return {
      errors: [`package: not a readable zip (${error && error.message})`],
      manifest: null,
      schemaVersion: null,
      files: [],
    };
  }
  const entries = Object.values(zip.files);
  const files = entries.filter((e) => !e.dir).map((e) => e.name);
  const errors = [];
  for (const entry of entries) {
    if (entry.dir) errors.push(`package: holds a folder "${entry.name}"; every file must be at the zip root`);
    else if (entry.name.includes('/'))
      errors.push(`package: "${entry.name}" is in a folder; it must be at the zip root`);
  }
  const manifestEntry = zip.file('manifest.json');
  if (!manifestEntry) {
    errors.push('package: manifest.json is missing from the zip root');
    return { errors, manifest: null, schemaVersion: null, files };
  }
  let manifest;
  try {
    manifest = JSON.parse((await manifestEntry.async('string')).replace(/^\uFEFF/, ''));
  } catch (error) {
    errors.push(`manifest.json: not valid JSON (${error && error.message})`);
    return { errors, manifest: null, schemaVersion: null, files };
  }
  const validation = await validateManifest(manifest, expected);
  errors.push(...validation.errors);

  const icons = manifest.icons && typeof manifest.icons === 'object' ? manifest.icons : {};
  const expectedFiles = new Set(['manifest.json']);
  for (const kind of ['color', 'outline']) {
    const name = icons[kind];
    if (!isRootFileName(name)) continue;
    expectedFiles.add(name);
    const entry = zip.file(name);
    if (!entry) {
      errors.push(`package: icons.${kind} names "${name}", which is not at the zip root`);
      continue;
    }
    errors.push(...checkIcon(kind, name, await entry.async('nodebuffer')));
  }
  for (const name of files) {
    if (!expectedFiles.has(name))
      errors.push(`package: unexpected file "${name}"; only manifest.json and the two icons belong`);
  }
  return { errors, manifest, schemaVersion: validation.schemaVersion, files };
}

/** Renders the manifest, zips it with the icons from manifest/ and validates the zip it made. */
async function buildPackage(options, sources = {}) {
  const template = sources.template ?? readTemplate();
  const manifest = renderManifest(template, options);
  const icons = manifest.icons && typeof manifest.icons === 'object' ? manifest.icons : {};
  const readIcon = (name) =>
    isRootFileName(name) && fs.existsSync(path.join(MANIFEST_DIR, name))
      ? fs.readFileSync(path.join(MANIFEST_DIR, name))
      : null;
  const files = { 'manifest.json': `${JSON.stringify(manifest, null, 2)}\n` };
  const problems = [];
  for (const kind of ['color', 'outline']) {
    const data = sources[kind] ?? readIcon(icons[kind]);
    if (data) files[icons[kind]] = data;
    else
      problems.push(
        `manifest/${icons[kind]}: the ${kind} icon file is missing (run node scripts/make-icons.mjs)`,
      );
  }
  const zip = await createZip(files);
  const report = await inspectPackage(zip, {
    botId: options.botId,
    ssoAppId: options.ssoAppId,
    teamsAppId: options.teamsAppId,
    botDomain: options.botDomain,
  });
  return { ...report, errors: [...problems, ...report.errors], zip };
}

/** One line for the console: what the package holds. */
function summarize(result) {
  const m = result.manifest;
  const bot = m.bots && m.bots[0] ? m.bots[0].botId : '?';
  const kb = (result.zip.length / 1024).toFixed(1);
  return (
    `${m.name.short} ${m.version}, manifest ${result.schemaVersion}, Teams app ${m.id}, bot ${bot}, ` +
    `domains ${m.validDomains.join(' ')}; ${result.files.length} files, ${kb} KB; schema (offline) and package checks passed`
  );
}

module.exports = {
  ROOT,
  MANIFEST_DIR,
  TEMPLATE_PATH,
  DEFAULT_OUTPUT,
  DEFAULT_TEAMS_APP_ID,
  LOCAL_BOT_ID,
  COLOR_SIZE,
  OUTLINE_SIZE,
  PackageError,
  resolveOptions,
  readTemplate,
  renderManifest,
  bundledSchemaPath,
  validateManifest,
  checkIcon,
  drawColorIcon,
  drawOutlineIcon,
  createZip,
  inspectPackage,
  buildPackage,
  summarize,
};
