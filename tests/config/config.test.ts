import { ConfigError, loadConfig } from '../../src/config';

const APP_ID = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const TENANT = '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('runs in local mode with no credentials at all', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('local');
    expect(config.botFramework).toBeNull();
    expect(config.port).toBe(3978);
    expect(config.graph.cloud).toBe('Global');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses production without Bot Framework authentication and names what is missing', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.join('\n')).toMatch(/MicrosoftAppId is required in production/);
  });

  it('names every missing setting of a SingleTenant bot at once', () => {
    const problems = problemsOf({ MicrosoftAppId: APP_ID, MicrosoftAppType: 'SingleTenant' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^MicrosoftAppTenantId is required/),
        expect.stringMatching(/^MicrosoftAppPassword .* is required/),
        expect.stringMatching(/^OAUTH_CONNECTION_NAME is required/),
      ]),
    );
  });

  it('accepts a complete SingleTenant production configuration', () => {
    const config = loadConfig({
      MicrosoftAppId: APP_ID,
      MicrosoftAppType: 'singletenant',
      MicrosoftAppTenantId: TENANT,
      MicrosoftAppPassword: 'secret-value',
      OAUTH_CONNECTION_NAME: 'graph',
      GRAPH_CLOUD: 'USGovL4',
    });
    expect(config.mode).toBe('production');
    expect(config.botFramework?.appType).toBe('SingleTenant');
    expect(config.graph.cloud).toBe('USGovL4');
  });

  it('refuses a password with a user-assigned managed identity', () => {
    expect(
      problemsOf({
        MicrosoftAppId: APP_ID,
        MicrosoftAppType: 'UserAssignedMsi',
        MicrosoftAppTenantId: TENANT,
        MicrosoftAppPassword: 'x',
        OAUTH_CONNECTION_NAME: 'graph',
      }),
    ).toEqual(['MicrosoftAppPassword must not be set when MicrosoftAppType is UserAssignedMsi']);
  });

  it('explains wrong values by variable name', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      GRAPH_CLOUD: 'Mars',
      GRAPH_BASE_URL: 'ftp://x',
      CARD_TIME_ZONE: 'Nowhere/Here',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'GRAPH_CLOUD must be one of Global, USGovL4, USGovL5, China, got "Mars"',
        'GRAPH_BASE_URL must be an http(s) URL, got "ftp://x"',
        'PORT must be a whole number from 0 to 65535, got "eighty"',
        'CARD_TIME_ZONE must be an IANA time zone such as Europe/London, got "Nowhere/Here"',
      ]),
    );
    expect(problems).toHaveLength(4);
  });

  describe('Azure Storage for several instances', () => {
    const TABLE = 'https://stapprovals.table.core.windows.net';
    const BLOB = 'https://stapprovals.blob.core.windows.net';

    it('takes the account URLs and the managed identity, with no secret', () => {
      const config = loadConfig({
        STORE: 'azure',
        AZURE_STORAGE_TABLE_URL: TABLE,
        AZURE_STORAGE_BLOB_URL: BLOB,
        AZURE_CLIENT_ID: APP_ID,
      });
      expect(config.store.azure).toEqual({
        connectionString: null,
        tableUrl: TABLE,
        blobUrl: BLOB,
        identityClientId: APP_ID,
        prefix: 'approvals',
      });
    });

    it('says what is missing when there is no account at all', () => {
      expect(problemsOf({ STORE: 'azure' })).toEqual([
        'STORE is azure: set AZURE_STORAGE_TABLE_URL and AZURE_STORAGE_BLOB_URL (with a managed identity), or AZURE_STORAGE_CONNECTION_STRING: the storage account every instance shares',
      ]);
    });

    it('names the other URL when only one is set, and refuses plain http for a token', () => {
      expect(problemsOf({ STORE: 'azure', AZURE_STORAGE_TABLE_URL: TABLE })).toEqual([
        "AZURE_STORAGE_BLOB_URL is required with AZURE_STORAGE_TABLE_URL: the account's table and blob endpoints, e.g. https://<account>.table.core.windows.net",
      ]);
      expect(
        problemsOf({
          STORE: 'azure',
          AZURE_STORAGE_TABLE_URL: 'http://x.example',
          AZURE_STORAGE_BLOB_URL: BLOB,
        }),
      ).toEqual([
        'AZURE_STORAGE_TABLE_URL must be an https URL: a token is never sent over plain http, got "http://x.example"',
      ]);
    });

    it('refuses a connection string and URLs together', () => {
      expect(
        problemsOf({
          STORE: 'azure',
          AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
          AZURE_STORAGE_TABLE_URL: TABLE,
          AZURE_STORAGE_BLOB_URL: BLOB,
        }),
      ).toEqual([
        'Set either AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_TABLE_URL and AZURE_STORAGE_BLOB_URL, not both',
      ]);
    });
  });
});
