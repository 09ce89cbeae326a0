import { ConfigError, loadConfig } from '../../src/config';

const PRODUCTION = {
  MicrosoftAppId: '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d',
  MicrosoftAppType: 'SingleTenant',
  MicrosoftAppTenantId: '6d2b6a0e-7c1f-4f0e-9b8a-1a2b3c4d5e00',
  MicrosoftAppPassword: 'secret',
  OAUTH_CONNECTION_NAME: 'graph',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('notification settings', () => {
  it('discovers every minute locally and every five minutes in production, with pushes off by default', () => {
    expect(loadConfig({}).notify).toEqual({
      discoverySeconds: 60,
      secret: null,
      reminderHours: 24,
      digestThreshold: 10,
      digestHour: 9,
      leaseSeconds: 60,
    });
    expect(loadConfig(PRODUCTION).notify.discoverySeconds).toBe(300);
  });

  it('reads every variable', () => {
    const secret = 'a-shared-secret-of-at-least-32-characters';
    expect(
      loadConfig({
        NOTIFY_DISCOVERY_SECONDS: '0',
        NOTIFY_SECRET: secret,
        NOTIFY_REMINDER_HOURS: '4',
        NOTIFY_DIGEST_THRESHOLD: '25',
        NOTIFY_DIGEST_HOUR: '17',
        NOTIFY_LEASE_SECONDS: '30',
      }).notify,
    ).toEqual({
      discoverySeconds: 0,
      secret,
      reminderHours: 4,
      digestThreshold: 25,
      digestHour: 17,
      leaseSeconds: 30,
    });
  });

  it('names every wrong value at once, and never repeats the secret', () => {
    const problems = problemsOf({
      NOTIFY_DISCOVERY_SECONDS: '-1',
      NOTIFY_SECRET: 'short-and-secret',
      NOTIFY_DIGEST_HOUR: '24',
      NOTIFY_LEASE_SECONDS: '1',
      NOTIFY_DIGEST_THRESHOLD: 'many',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^NOTIFY_DISCOVERY_SECONDS must be a whole number from 0 to 86400/),
        expect.stringMatching(/^NOTIFY_SECRET must be at least 32 characters/),
        expect.stringMatching(/^NOTIFY_DIGEST_HOUR must be a whole number from 0 to 23/),
        expect.stringMatching(/^NOTIFY_LEASE_SECONDS must be a whole number from 5 to 3600/),
        expect.stringMatching(/^NOTIFY_DIGEST_THRESHOLD must be a whole number/),
      ]),
    );
    expect(problems.join('\n')).not.toContain('short-and-secret');
  });
});
