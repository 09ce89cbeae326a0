import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { openCoordination, openStore } from '../../src/store';
import type { Store } from '../../src/store';
import { AzureStore } from '../../src/store/azure-store';
import { startAzurite } from '../support/azurite';
import type { Azurite } from '../support/azurite';
import { describeStoreContract } from './store-contract';

/**
 * Azure Storage by account URL with an Entra token, as a managed identity reaches it: Azurite over HTTPS
 * (a certificate this test makes) with its OAuth check on, so a token for the wrong audience, or no token,
 * is refused as Azure Storage would refuse it.
 */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

/**
 * Entra's side of a managed identity: a token whose audience is the resource the scope names
 * (`https://storage.azure.com/.default` → `https://storage.azure.com`), unless told to get it wrong.
 */
class EntraDouble implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(private readonly audience?: string) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? (scopes[0] ?? '') : scopes;
    this.scopes.push(scope);
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: this.audience ?? scope.replace(/\/\.default$/, ''),
      iss: `https://sts.windows.net/${TENANT}/`,
      iat: now,
      nbf: now - 60,
      exp: now + 3600,
      oid: '0b3a9c6e-1f2d-4e5a-8b7c-9d0e1f2a3b4c',
      tid: TENANT,
    };
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
    const signature = createHmac('sha256', randomBytes(32)).update(unsigned).digest('base64url');
    return { token: `${unsigned}.${signature}`, expiresOnTimestamp: (now + 3600) * 1000 };
  }
}

let azurite: Azurite;
let directory: string;
let account: { tableUrl: string; blobUrl: string };

beforeAll(async () => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'azurite-tls-'));
  const certFile = path.join(directory, 'cert.pem');
  const keyFile = path.join(directory, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  // Trust the test's certificate in this process only, beside the usual roots (Node 24).
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), fs.readFileSync(certFile, 'utf8')]);
  azurite = await startAzurite({ oauth: { certFile, keyFile } });
  account = { tableUrl: azurite.tableEndpoint, blobUrl: azurite.blobEndpoint };
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
  fs.rmSync(directory, { recursive: true, force: true });
});

const freshPrefix = () => `t${randomBytes(5).toString('hex')}`;

it('serves Azure Storage over HTTPS with OAuth on', () => {
  expect(account.tableUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
  expect(account.blobUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
});

describeStoreContract(
  'AzureStore by account URL with a managed identity token (Azurite, OAuth)',
  async () => {
    const prefix = freshPrefix();
    const credential = new EntraDouble();
    const openOne = (): Promise<Store> => AzureStore.open({ ...account, credential, prefix });
    const store = await openOne();
    return {
      store,
      reopen: openOne,
      openSibling: openOne,
      cleanup: async () => {
        await AzureStore.destroy({ ...account, credential, prefix });
        // Every request asked Entra for a Storage token, and for nothing else.
        expect(new Set(credential.scopes)).toEqual(new Set(['https://storage.azure.com/.default']));
      },
    };
  },
);

it('shares leases and the rate budget through the same identity', async () => {
  const prefix = freshPrefix();
  const credential = new EntraDouble();
  const { leases, budget } = await openCoordination({
    engine: 'azure',
    account: { ...account, credential },
    prefix,
  });
  expect(await leases.acquire('discovery-0', 'instance-a', 20_000)).toBe(true);
  expect(await leases.acquire('discovery-0', 'instance-b', 20_000)).toBe(false);
  const once = [{ key: 'tenant', rules: [{ limit: 1, windowMs: 60_000 }] }];
  const now = Date.now();
  expect(await budget.take('tenant', once, now)).toBe(0);
  expect(await budget.take('tenant', once, now + 1)).toBeGreaterThan(0);
  await AzureStore.destroy({ ...account, credential, prefix });
});

it('refuses to start with a token for the wrong audience, saying what to fix', async () => {
  const credential = new EntraDouble('https://vault.azure.net');
  const opening = openStore({ engine: 'azure', account: { ...account, credential }, prefix: freshPrefix() });
  await expect(opening).rejects.toMatchObject({
    name: 'StoreError',
    code: 'approvals.store.accessRefused',
    message: expect.stringMatching(/refused access \(40[13].*https:\/\/storage\.azure\.com/),
  });
});

it('refuses a request that carries no token at all', async () => {
  const response = await fetch(`${account.tableUrl}/Tables`, { headers: { accept: 'application/json' } });
  expect([401, 403]).toContain(response.status);
});
