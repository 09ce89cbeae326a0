// The Teams app package. @microsoft/app-manifest validates the manifest against the JSON schema it bundles,
// offline (the check `atk validate` runs); this file renders the template, zips, and adds only the checks no
// maintained tool makes offline. CommonJS, so that node runs it without a build and jest can require it.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const JSZip = require('jszip');
// @microsoft/app-manifest requires fs-extra without declaring it (fs-extra is in our devDependencies) and
// strip-bom 5, an ES module: Node.js 20.19 or later.
const { AppManifestUtils } = require('@microsoft/app-manifest');

const ROOT = path.resolve(__dirname, '..');
const MANIFEST_DIR = path.join(ROOT, 'manifest');
const TEMPLATE_PATH = path.join(MANIFEST_DIR, 'manifest.template.json');
const DEFAULT_OUTPUT = path.join(ROOT, 'dist', 'approvals-teams-app.zip');
/** This app's Teams app id when TEAMS_APP_ID is not set: one fixed id, so an upload updates the app. */
const DEFAULT_TEAMS_APP_ID = 'c9770af4-4dac-4643-85a9-8c84481ddd61';
/** Stand-in bot id for `--local` packages: obviously not a real Microsoft App ID. */
const LOCAL_BOT_ID = '00000000-0000-0000-0000-000000000000';
const TOKEN_DOMAIN = 'token.botframework.com';
const ICON_SIZES = { color: 192, outline: 32 };
const PLACEHOLDER = /\{\{(\w+)\}\}/g;
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;
const HOST_NAME = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
const SCHEMA_URL =
  /^https:\/\/developer\.microsoft\.com\/json-schemas\/teams\/(v[\w.]+)\/MicrosoftTeams\.schema\.json$/;
const SCHEMAS_DIR = path.join(
  require.resolve('@microsoft/app-manifest/package.json'),
  '../build/json-schemas',
);
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

class PackageError extends Error {}

/** The template's {{VARIABLES}}, each named after the environment variable that sets it. */
function settings(env = process.env, { local = false } = {}) {
  const get = (name) => env[name]?.trim() || undefined;
  const botId = get('MicrosoftAppId') ?? (local ? LOCAL_BOT_ID : undefined);
  if (!botId) {
    throw new PackageError(
      "MicrosoftAppId is required: set it to the Azure Bot's Microsoft App ID (a GUID), or pass --local for a package with a placeholder bot id",
    );
  }
  const endpoint = get('BOT_ENDPOINT');
  if (endpoint && !URL.canParse(endpoint)) {
    throw new PackageError(`BOT_ENDPOINT must be the bot's messaging endpoint URL, got "${endpoint}"`);
  }
  const domain = (
    get('BOT_DOMAIN') ??
    (endpoint && new URL(endpoint).hostname) ??
    get('WEBSITE_HOSTNAME') ??
    'localhost'
  ).toLowerCase();
  const site = `https://${domain}`;
  // The app registration that signs users in: the bot's own, unless the bot runs as a managed identity,
  // which cannot expose an API (infra/README.md); then a second registration does.
  const ssoAppId = get('SSO_APP_ID') ?? botId;
  if (ssoAppId !== botId && !GUID.test(ssoAppId)) {
    throw new PackageError(
      `SSO_APP_ID must be the client id (a GUID) of the app registration that signs users in, got "${ssoAppId}"`,
    );
  }
  return {
    MicrosoftAppId: botId.toLowerCase(),
    SSO_APP_ID: ssoAppId.toLowerCase(),
    TEAMS_APP_ID: (get('TEAMS_APP_ID') ?? DEFAULT_TEAMS_APP_ID).toLowerCase(),
    BOT_DOMAIN: domain,
    APP_VERSION: get('APP_VERSION') ?? require('../package.json').version,
    DEVELOPER_NAME: get('DEVELOPER_NAME') ?? 'Identity Governance Team',
    DEVELOPER_WEBSITE_URL: get('DEVELOPER_WEBSITE_URL') ?? `${site}/`,
    DEVELOPER_PRIVACY_URL: get('DEVELOPER_PRIVACY_URL') ?? `${site}/privacy`,
    DEVELOPER_TERMS_URL: get('DEVELOPER_TERMS_URL') ?? `${site}/terms`,
  };
}

/** The manifest.json text: the template with each {{NAME}} replaced (JSON-escaped) by values[NAME]. */
function renderManifest(values, template = fs.readFileSync(TEMPLATE_PATH, 'utf8')) {
  const unknown = new Set();
  const text = template.replace(PLACEHOLDER, (match, name) => {
    if (Object.hasOwn(values, name)) return JSON.stringify(String(values[name])).slice(1, -1);
    unknown.add(match);
    return match;
  });
  if (unknown.size > 0)
    throw new PackageError(`manifest.template.json: no value for ${[...unknown].join(' ')}`);
  return text;
}

/** The variables that fill the template at a JSON pointer: "/bots/0/botId" gives ["MicrosoftAppId"]. */
function variablesAt(template, pointer) {
  let node = JSON.parse(template);
  for (const key of pointer.split('/').slice(1)) node = node?.[key];
  return typeof node === 'string' ? [...node.matchAll(PLACEHOLDER)].map((m) => m[1]) : [];
}

/** An error for a `$schema` that @microsoft/app-manifest does not bundle: it would fetch it, we refuse. */
function unbundledSchema(url) {
  const version = SCHEMA_URL.exec(String(url))?.[1];
  if (!version) return `/$schema: must be a Teams manifest schema URL, got ${JSON.stringify(url)}`;
  if (fs.existsSync(path.join(SCHEMAS_DIR, 'teams', version, 'MicrosoftTeams.schema.json'))) return null;
  return `/$schema: ${version} is not bundled with @microsoft/app-manifest, and schemas are never fetched`;
}

/** What makes the bot and its single sign-on work, which no schema says. */
function botRules(m, botId, ssoAppId) {
  const errors = [];
  const bot = m.bots?.[0]?.botId;
  if (typeof bot !== 'string') errors.push('/bots/0/botId: missing; the package is for a bot');
  else if (botId && bot.toLowerCase() !== botId.toLowerCase()) {
    errors.push(`/bots/0/botId: must equal MicrosoftAppId ${botId}, got ${bot}`);
  }
  if (typeof bot === 'string') {
    const resource = `api://botid-${bot}`;
    const got = m.webApplicationInfo?.resource;
    if (String(got).toLowerCase() !== resource.toLowerCase()) {
      errors.push(
        `/webApplicationInfo/resource: must be "${resource}" for single sign-on, got ${JSON.stringify(got)}`,
      );
    }
  }
  const signIn = m.webApplicationInfo?.id;
  if (!GUID.test(String(signIn)) || (ssoAppId && String(signIn).toLowerCase() !== ssoAppId.toLowerCase())) {
    errors.push(
      `/webApplicationInfo/id: must be ${ssoAppId ? `"${ssoAppId}"` : 'the client id of the app that signs users in'} for single sign-on (SSO_APP_ID, else the bot id), got ${JSON.stringify(signIn)}`,
    );
  }
  if (!SEMVER.test(m.version)) {
    errors.push(`/version: must be three numbers such as 1.4.0, got ${JSON.stringify(m.version)}`);
  }
  const domains = Array.isArray(m.validDomains) ? m.validDomains : [];
  if (!domains.includes(TOKEN_DOMAIN)) {
    errors.push(`/validDomains: must include ${TOKEN_DOMAIN}, or the sign-in button does nothing`);
  }
  domains.forEach((domain, i) => {
    if (!HOST_NAME.test(domain)) {
      errors.push(
        `/validDomains/${i}: must be a host name without scheme, port or path, got ${JSON.stringify(domain)}`,
      );
    }
  });
  return errors;
}

/** Schema errors from @microsoft/app-manifest (offline), then ours; each starts with its JSON pointer. */
async function validateManifest(manifest, botId, ssoAppId) {
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest))
    return ['must be an object'];
  const refused = unbundledSchema(manifest.$schema);
  const schema = refused ? [refused] : await AppManifestUtils.validateAgainstSchema(manifest);
  return [...schema.map((e) => (e.startsWith(' ') ? `/${e}` : e)), ...botRules(manifest, botId, ssoAppId)];
}

/** Width and height from a PNG's header (IHDR is always the first chunk), or null when it is no PNG. */
function pngSize(data) {
  const png =
    data.length >= 24 && data.subarray(0, 8).equals(PNG_SIGNATURE) && data.toString('latin1', 12, 16);
  return png === 'IHDR' ? [data.readUInt32BE(16), data.readUInt32BE(20)] : null;
}

/** Reads a package back and checks it; `template` (when the zip was just built) names the variables at fault. */
async function inspectPackage(zipBuffer, { botId, ssoAppId, template } = {}) {
  const zip = await JSZip.loadAsync(zipBuffer).catch(() => null);
  if (!zip) return { errors: ['package: not a readable zip'], manifest: null, files: [] };
  const files = Object.keys(zip.files).filter((name) => !zip.files[name].dir);
  const text = await zip.file('manifest.json')?.async('string');
  if (text === undefined)
    return { errors: ['package: no manifest.json at the zip root'], manifest: null, files };
  let manifest;
  try {
    manifest = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return { errors: [`manifest.json: not valid JSON (${error.message})`], manifest: null, files };
  }
  const errors = (await validateManifest(manifest, botId, ssoAppId)).map((error) => {
    const from = template ? variablesAt(template, error.split(/[: ]/)[0]) : [];
    return `manifest.json ${error}${from.length > 0 ? ` (from ${from.join(', ')})` : ''}`;
  });
  for (const [kind, size] of Object.entries(ICON_SIZES)) {
    const name = manifest.icons?.[kind];
    if (typeof name !== 'string') continue; // the schema reports it
    const data = await zip.file(name)?.async('nodebuffer');
    const [width, height] = (data && pngSize(data)) ?? [];
    if (!data) errors.push(`package: icons.${kind} names "${name}", which is not in the zip`);
    else if (width === undefined) errors.push(`${name}: not a PNG file`);
    else if (width !== size || height !== size) {
      errors.push(`${name}: the ${kind} icon must be ${size}x${size} pixels, got ${width}x${height}`);
    }
  }
  return { errors, manifest, files };
}

/** The same bytes for the same files: fixed entry dates (UTC; DOS dates start in 1980), fixed order. */
function createZip(files) {
  const zip = new JSZip();
  const date = new Date(Date.UTC(2020, 0, 1));
  for (const [name, data] of Object.entries(files)) zip.file(name, data, { date, createFolders: false });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/** Renders manifest.json, zips it with the icons from manifest/, and checks the zip it made. */
async function buildPackage(env = process.env, flags = {}) {
  const values = settings(env, flags);
  const template = fs.readFileSync(TEMPLATE_PATH, 'utf8');
  const text = renderManifest(values, template);
  const icons = JSON.parse(text).icons ?? {};
  const files = { 'manifest.json': text };
  for (const name of [icons.color, icons.outline]) {
    if (typeof name === 'string' && fs.existsSync(path.join(MANIFEST_DIR, name))) {
      files[name] = fs.readFileSync(path.join(MANIFEST_DIR, name));
    }
  }
  const zip = await createZip(files);
  return {
    ...(await inspectPackage(zip, { botId: values.MicrosoftAppId, ssoAppId: values.SSO_APP_ID, template })),
    zip,
    values,
  };
}

/** One line for the console: what the package holds. */
function summarize({ manifest: m, files, zip }) {
  return (
    `${m.name.short} ${m.version}, manifest ${m.manifestVersion}, Teams app ${m.id}, bot ${m.bots[0].botId}, ` +
    `domains ${m.validDomains.join(' ')}; ${files.length} files, ${(zip.length / 1024).toFixed(1)} KB; ` +
    'schema (@microsoft/app-manifest, offline) and package checks passed'
  );
}

module.exports = {
  MANIFEST_DIR,
  TEMPLATE_PATH,
  DEFAULT_OUTPUT,
  DEFAULT_TEAMS_APP_ID,
  LOCAL_BOT_ID,
  PackageError,
  settings,
  renderManifest,
  validateManifest,
  inspectPackage,
  createZip,
  buildPackage,
  summarize,
};
