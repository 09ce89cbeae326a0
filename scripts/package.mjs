// `npm run package`: dist/approvals-teams-app.zip (manifest.json, color.png, outline.png) from
// manifest/manifest.template.json, the environment and the icons in manifest/. The zip is validated before it is
// written: the schema bundled with @microsoft/app-manifest (offline), then the checks in package-lib.js.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import lib from './package-lib.js';

const { DEFAULT_OUTPUT, PackageError, buildPackage, inspectPackage, summarize } = lib;

const usage = `Usage: node scripts/package.mjs [--local] [--out <file.zip>]
       node scripts/package.mjs --check <file.zip>

Environment:
  MicrosoftAppId          the Azure Bot's Microsoft App ID (required unless --local)
  SSO_APP_ID              the app registration that signs users in (default: the bot's App ID; set it when the
                          bot runs as a managed identity, see infra/README.md)
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
    const options = { local: { type: 'boolean' }, out: { type: 'string' }, check: { type: 'string' } };
    args = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    fail(`${error.message}\n\n${usage}`);
  }
  if (args.help) return console.log(usage);

  if (args.check) {
    const file = path.resolve(args.check);
    const zip = readFileSync(file);
    const botId = process.env.MicrosoftAppId?.trim() || undefined;
    const ssoAppId = process.env.SSO_APP_ID?.trim() || botId;
    const report = await inspectPackage(zip, { botId, ssoAppId });
    if (report.errors.length > 0)
      fail(`Teams app package ${file} is invalid:\n- ${report.errors.join('\n- ')}`);
    return console.log(`${file}\n${summarize({ ...report, zip })}`);
  }

  const result = await buildPackage(process.env, { local: args.local }).catch((error) =>
    fail(error instanceof PackageError ? error.message : `Packaging failed: ${error.stack}`),
  );
  if (result.errors.length > 0)
    fail(`The Teams app package is invalid, nothing written:\n- ${result.errors.join('\n- ')}`);
  if (result.values.BOT_DOMAIN === 'localhost' && !args.local) {
    console.warn('note: BOT_DOMAIN is not set; validDomains and the default developer URLs use localhost');
  }
  const out = path.resolve(args.out ?? DEFAULT_OUTPUT);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, result.zip);
  console.log(`${out}\n${summarize(result)}`);
}

main().catch((error) => fail(`Packaging failed: ${error.stack ?? error}`));
