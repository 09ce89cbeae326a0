import fs from 'node:fs';
import path from 'node:path';
import {
  bicepAppSettings,
  bicepOutputs,
  bicepParams,
  checkDrift,
  envReferences,
  envWrites,
  missingDescriptions,
  settingsReadByConfig,
  settingsReadByPackaging,
} from './drift-check';
import type { DriftInputs } from './drift-check';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string): string => fs.readFileSync(path.join(root, file), 'utf8');

/**
 * Settings the product reads outside src/config's readers (none today: the scan below finds the rest). A
 * library that reads the environment itself would be listed here.
 */
const READ_BY_STORAGE_AND_TELEMETRY: readonly string[] = [];

const PUBLIC_CLOUD =
  'Bot Framework endpoint for national clouds or a regional token service; the template deploys to the public cloud, where the defaults apply';
const TUNING = "tuning with the app's own default; set it through the extraAppSettings parameter";

/** Settings the app reads that the template deliberately leaves unset. */
const NOT_FROM_INFRA: Record<string, string> = {
  PORT: 'App Service passes the port the app must listen on in PORT itself',
  HOST: 'the app listens on 0.0.0.0 in production by default',
  APP_MODE: 'NODE_ENV=production already selects production mode',
  SANDBOX_PORT: 'local mode only (the Graph sandbox)',
  PLAYGROUND_PORT: 'local mode only (the Agents Playground)',
  START_PLAYGROUND: 'local mode only (the Agents Playground)',
  DATA_DIR: 'SQLite store only; the template sets STORE=azure',
  OTEL_METRIC_EXPORT_INTERVAL: TUNING,
  AZURE_STORAGE_CONNECTION_STRING:
    'replaced by AZURE_STORAGE_TABLE_URL/AZURE_STORAGE_BLOB_URL with the managed identity; the account has shared keys switched off',
  CertificateThumbprint:
    'a certificate is an alternative to the client secret; the template uses a managed identity or a secret',
  CertificatePrivateKey:
    'a certificate is an alternative to the client secret; the template uses a managed identity or a secret',
  GRAPH_CLOUD:
    'the template deploys to the public cloud (Global, the default); the Graph Bicep extension works only there',
  GRAPH_BASE_URL: 'the public Microsoft Graph service root is the default',
  TEAMS_SERVICE_URL_HOSTS:
    "the app's default lists the Bot Connector hosts of the public, GCC, GCC High and DoD clouds",
  OAuthApiEndpoint: PUBLIC_CLOUD,
  OAuthUrl: PUBLIC_CLOUD,
  ToBotFromChannelOpenIdMetadataUrl: PUBLIC_CLOUD,
  ToBotFromChannelTokenIssuer: PUBLIC_CLOUD,
  ToChannelFromBotLoginUrl: PUBLIC_CLOUD,
  ToChannelFromBotOAuthScope: PUBLIC_CLOUD,
  ToBotFromEmulatorOpenIdMetadataUrl: PUBLIC_CLOUD,
  CallerId: PUBLIC_CLOUD,
  ValidateAuthority: PUBLIC_CLOUD,
  LOG_LEVEL: TUNING,
  CARD_ACTIONS: TUNING,
  PENDING_SUMMARY_THRESHOLD: TUNING,
  MAX_BODY_BYTES: TUNING,
  NOTIFY_DISCOVERY_SECONDS: TUNING,
  NOTIFY_REMINDER_HOURS: TUNING,
  NOTIFY_DIGEST_THRESHOLD: TUNING,
  NOTIFY_DIGEST_HOUR: TUNING,
  NOTIFY_LEASE_SECONDS: TUNING,
  RETENTION_DAYS: TUNING,
  OTEL_EXPORTER_OTLP_ENDPOINT:
    'an OpenTelemetry collector outside Azure; on Azure the template sets APPLICATIONINSIGHTS_CONNECTION_STRING',
};

/** Settings the template writes for App Service, not for the app. */
const PLATFORM_SETTINGS: Record<string, string> = {
  WEBSITE_RUN_FROM_PACKAGE: 'App Service runs the app from the zip that atk deploy uploads',
};

/** Outputs that only the toolkit uses. */
const TOOLKIT_OUTPUTS: Record<string, string> = {
  BOT_AZURE_APP_SERVICE_RESOURCE_ID: 'the web app azureAppService/zipDeploy uploads to',
};

function realInputs(): DriftInputs {
  return {
    readByApp: [
      ...new Set([...settingsReadByConfig(read('src/config/index.ts')), ...READ_BY_STORAGE_AND_TELEMETRY]),
    ],
    readByPackaging: settingsReadByPackaging(read('scripts/package-lib.js')),
    notFromInfra: NOT_FROM_INFRA,
    platformSettings: PLATFORM_SETTINGS,
    toolkitOutputs: TOOLKIT_OUTPUTS,
    mainBicep: read('infra/main.bicep'),
    parametersJson: read('infra/main.parameters.json'),
    agentsYml: read('m365agents.yml'),
    envFile: read('env/.env.dev'),
  };
}

describe('the parsers read the real files', () => {
  it('finds what src/config reads, including a multi-line generic call', () => {
    const names = settingsReadByConfig(read('src/config/index.ts'));
    expect(names).toEqual(
      expect.arrayContaining([
        'MicrosoftAppId',
        'MicrosoftAppType',
        'OAUTH_CONNECTION_NAME',
        'STORE',
        'PORT',
      ]),
    );
    expect(names).toContain('NOTIFY_LEASE_SECONDS');
  });

  it('finds the app settings of main.bicep, conditional ones included', () => {
    const settings = bicepAppSettings(read('infra/main.bicep'));
    const names = settings.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'NODE_ENV',
        'MicrosoftAppId',
        'AZURE_STORAGE_TABLE_URL',
        'NOTIFY_SECRET',
        'MicrosoftAppPassword',
      ]),
    );
    expect(settings.find((s) => s.name === 'STORE')?.value).toBe("'azure'");
    expect(settings.find((s) => s.name === 'OAUTH_CONNECTION_NAME')?.value).toBe('OAUTH_CONNECTION_NAME');
    expect(new Set(names).size).toBe(names.length);
  });

  it('finds params, outputs, placeholders and action writes', () => {
    const main = read('infra/main.bicep');
    expect(bicepParams(main).map((p) => p.name)).toContain('MicrosoftAppType');
    expect(bicepParams(main).find((p) => p.name === 'NOTIFY_SECRET')?.secure).toBe(true);
    expect(bicepOutputs(main).map((o) => o.name)).toContain('MicrosoftAppId');
    expect(envReferences(read('m365agents.yml'))).toContain('BOT_AZURE_APP_SERVICE_RESOURCE_ID');
    expect(envWrites(read('m365agents.yml'))).toEqual(['TEAMS_APP_ID']);
  });
});

describe('deployment drift', () => {
  it('the template sets every setting the app reads in production, and nothing the app does not read', () => {
    expect(checkDrift(realInputs())).toEqual([]);
  });

  it('every param and output of every Bicep file has a @description', () => {
    const dir = path.join(root, 'infra');
    const files = ['main.bicep', ...fs.readdirSync(path.join(dir, 'modules')).map((f) => `modules/${f}`)];
    const problems = files
      .filter((f) => f.endsWith('.bicep'))
      .flatMap((f) => missingDescriptions(`infra/${f}`, fs.readFileSync(path.join(dir, f), 'utf8')));
    expect(problems).toEqual([]);
  });

  it('every not-from-infra entry gives a reason', () => {
    for (const reason of Object.values(NOT_FROM_INFRA)) expect(reason.length).toBeGreaterThan(20);
  });
});

describe('the drift check bites', () => {
  it('reports a setting the app reads that the template no longer sets', () => {
    const inputs = realInputs();
    const main = inputs.mainBicep.replace(/^\s*CARD_TIME_ZONE: CARD_TIME_ZONE\n/m, '');
    expect(main).not.toBe(inputs.mainBicep);
    expect(checkDrift({ ...inputs, mainBicep: main })).toEqual([
      'CARD_TIME_ZONE is read by the app but not set by the template (nor listed as not-from-infra)',
    ]);
  });

  it('reports a template setting the app does not read', () => {
    const inputs = realInputs();
    const main = inputs.mainBicep.replace("STORE: 'azure'", "STORE: 'azure'\n    STORAGE_MODE: 'azure'");
    expect(checkDrift({ ...inputs, mainBicep: main })).toEqual([
      'app setting STORAGE_MODE is set by the template but not read by the app',
    ]);
  });

  it('reports a setting that moved to src/config but is still listed as not from infra', () => {
    const inputs = realInputs();
    const main = inputs.mainBicep.replace("STORE: 'azure'", "STORE: 'azure'\n    LOG_LEVEL: 'info'");
    expect(checkDrift({ ...inputs, mainBicep: main })).toEqual([
      'LOG_LEVEL is set by the template but also listed as not-from-infra',
    ]);
  });

  it('reports an m365agents.yml reference that no output, action or env entry provides', () => {
    const inputs = realInputs();
    const yml = inputs.agentsYml.replace('${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}}', '${{BOT_WEB_APP_ID}}');
    expect(checkDrift({ ...inputs, agentsYml: yml })).toEqual([
      'output BOT_AZURE_APP_SERVICE_RESOURCE_ID is not used by m365agents.yml (as ${{BOT_AZURE_APP_SERVICE_RESOURCE_ID}})',
      'm365agents.yml uses ${{BOT_WEB_APP_ID}}, which no template output, action or env/.env.dev entry provides',
    ]);
  });

  it('reports a parameter fed from the wrong variable and a setting fed by a differently named parameter', () => {
    const inputs = realInputs();
    const json = inputs.parametersJson.replace('${{CARD_TIME_ZONE}}', '${{TIME_ZONE}}');
    const main = inputs.mainBicep
      .replace('param CARD_TIME_ZONE string', 'param cardTimeZone string')
      .replace('CARD_TIME_ZONE: CARD_TIME_ZONE', 'CARD_TIME_ZONE: cardTimeZone');
    expect(checkDrift({ ...inputs, parametersJson: json, mainBicep: main })).toEqual([
      'app setting CARD_TIME_ZONE is fed by parameter cardTimeZone: name the parameter CARD_TIME_ZONE',
      'main.parameters.json sets CARD_TIME_ZONE, which main.bicep does not declare',
      'main.parameters.json uses ${{TIME_ZONE}}, which no template output, action or env/.env.dev entry provides',
    ]);
  });

  it('reports an output nobody reads and a param or output without @description', () => {
    const inputs = realInputs();
    const main = `${inputs.mainBicep}\noutput STORAGE_ACCOUNT string = 'x'\n`;
    expect(checkDrift({ ...inputs, mainBicep: main })).toEqual([
      'output STORAGE_ACCOUNT is read neither by the app nor by the package script',
      'output STORAGE_ACCOUNT is not used by m365agents.yml (as ${{STORAGE_ACCOUNT}})',
    ]);
    expect(missingDescriptions('x.bicep', main)).toEqual([
      'x.bicep: output STORAGE_ACCOUNT has no @description',
    ]);
  });
});
