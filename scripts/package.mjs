// `npm run package`: builds dist/approvals-teams-app.zip (manifest.json, color.png, outline.png at the root)
// from manifest/manifest.template.json and the environment, then validates the zip it wrote: the manifest
// against the JSON schema bundled with @microsoft/app-manifest (offline, never fetched), plus our own checks.
//
//   MicrosoftAppId=<bot app id> [SSO_APP_ID=<guid>] [TEAMS_APP_ID=<guid>] [BOT_DOMAIN=<host>] [APP_VERSION=1.2.3] node scripts/package.mjs
//   node scripts/package.mjs --local            placeholder bot id, for a look at the package without Azure
//   node scripts/package.mjs --check <zip>      validate an existing package (botId checked against MicrosoftAppId if set)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import lib from './package-lib.js';

const { DEFAULT_OUTPUT, PackageError, resolveOptions, buildPackage, inspectPackage, summarize } = lib;

const usage = `Usage: node scripts/package.mjs [--local] [--out <file.zip>]
       node scripts/package.mjs --check <file.zip>

Environment:
  MicrosoftAppId          the Azure Bot's Microsoft App ID (required unless --local)
  SSO_APP_ID              client id of the app registration that signs users in (default: MicrosoftAppId)
  TEAMS_APP_ID            the Teams app id (GUID; default: this app's fixed id)
  BOT_DOMAIN              host name of the bot (default: host of BOT_ENDPOINT, WEBSITE_HOSTNAME, or localhost)
  APP_VERSION             app version, three numbers (default: package.json version)
  DEVELOPER_NAME, DEVELOPER_WEBSITE_URL, DEVELOPER_PRIVACY_URL, DEVELOPER_TERMS_URL
                          publisher shown in Teams (default URLs: https://<BOT_DOMAIN>/, /privacy, /terms)`;

function fail(message) {
  console.error(message);
  process.exit(1);
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: {
        local: { type: 'boolean', default: false },
        out: { type: 'string' },
        check: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    fail(`${error.message}\n\n${usage}`);
  }
  if (args.help) {
    console.log(usage);
    return;
  }

  if (args.check) {
    const file = path.resolve(args.check);
    const botId = process.env.MicrosoftAppId?.trim() || undefined;
    const ssoAppId = process.env.SSO_APP_ID?.trim() || undefined;
    const result = await inspectPackage(readFileSync(file), { botId, ssoAppId });
    if (result.errors.length > 0)
      fail(`Teams app package ${file} is invalid:\n- ${result.errors.join('\n- ')}`);
    console.log(file);
    console.log(summarize({ ...result, zip: readFileSync(file) }));
    return;
  }

  let options;
  try {
    options = resolveOptions(process.env, { local: args.local });
  } catch (error) {
    if (error instanceof PackageError) fail(error.message);
    throw error;
  }
  if (options.botDomainSource === 'default' && !options.local) {
    console.warn('note: BOT_DOMAIN is not set; validDomains and the default developer URLs use localhost');
  }

  const result = await buildPackage(options);
  if (result.errors.length > 0)
    fail(`The Teams app package is invalid, nothing written:\n- ${result.errors.join('\n- ')}`);

  const out = path.resolve(args.out ?? DEFAULT_OUTPUT);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, result.zip);
  console.log(out);
  console.log(summarize(result));
}

main().catch((error) => fail(`Packaging failed: ${error && error.stack ? error.stack : error}`));
