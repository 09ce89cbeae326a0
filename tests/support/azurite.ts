import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Azurite (the Azure Storage emulator) in a child process, for the tests of the Azure store and the
 * coordination primitives. It listens on ports the OS picks (port 0, read back from its start-up lines),
 * keeps everything in memory, sends no telemetry, and dies with the test run.
 */

/** The emulator's well-known development account: public in Microsoft's docs, not a secret. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  readonly blobEndpoint: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  /** A full connection string for the development account on this instance's ports. */
  readonly connectionString: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const AZURITE_MAIN = join(__dirname, '..', '..', 'node_modules', 'azurite', 'dist', 'src', 'azurite.js');
const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (https?:\/\/\S+)/g;

export interface AzuriteOptions {
  /** Milliseconds to wait for all three services to listen. */
  readonly startTimeoutMs?: number;
  /** Cap on the in-memory blob store (MB); the default is half the machine's memory. */
  readonly extentMemoryLimitMb?: number;
  /**
   * Entra tokens instead of account keys: HTTPS with this certificate (PEM files) and Azurite's basic
   * OAuth check (issuer, audience, lifetime; no signature).
   */
  readonly oauth?: { readonly certFile: string; readonly keyFile: string };
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  // Its working folder: in-memory mode writes nothing, but a debug log or a crash dump would land here.
  const cwd = mkdtempSync(join(tmpdir(), 'azurite-'));
  const child = spawn(
    process.execPath,
    [
      AZURITE_MAIN,
      '--inMemoryPersistence',
      '--extentMemoryLimit',
      String(options.extentMemoryLimitMb ?? 512),
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--queueHost',
      '127.0.0.1',
      '--queuePort',
      '0',
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      '0',
      ...(options.oauth
        ? ['--oauth', 'basic', '--cert', options.oauth.certFile, '--key', options.oauth.keyFile]
        : []),
    ],
    { cwd, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  try {
    const endpoints = await waitForEndpoints(child, options.startTimeoutMs ?? 20_000);
    const blobEndpoint = `${endpoints.Blob}/${AZURITE_ACCOUNT}`;
    const queueEndpoint = `${endpoints.Queue}/${AZURITE_ACCOUNT}`;
    const tableEndpoint = `${endpoints.Table}/${AZURITE_ACCOUNT}`;
    const pid = child.pid ?? -1;
    return {
      blobEndpoint,
      queueEndpoint,
      tableEndpoint,
      pid,
      connectionString:
        `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
        `BlobEndpoint=${blobEndpoint};QueueEndpoint=${queueEndpoint};TableEndpoint=${tableEndpoint};`,
      stop: () => stop(child, cwd),
    };
  } catch (error) {
    await stop(child, cwd);
    throw error;
  }
}

function waitForEndpoints(
  child: ChildProcessWithoutNullStreams,
  timeoutMs: number,
): Promise<Record<'Blob' | 'Queue' | 'Table', string>> {
  return new Promise((resolve, reject) => {
    const found: Partial<Record<'Blob' | 'Queue' | 'Table', string>> = {};
    let output = '';
    const timer = setTimeout(
      () => finish(new Error(`Azurite did not start in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const match of output.matchAll(LISTENING)) {
        const service = match[1] as 'Blob' | 'Queue' | 'Table';
        if (match[2]) found[service] = match[2];
      }
      if (found.Blob && found.Queue && found.Table) {
        finish(null, { Blob: found.Blob, Queue: found.Queue, Table: found.Table });
      }
    };
    const onExit = (code: number | null): void =>
      finish(new Error(`Azurite exited (${code ?? 'signal'}) before it listened:\n${output}`));
    function finish(error: Error | null, value?: Record<'Blob' | 'Queue' | 'Table', string>): void {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.off('exit', onExit);
      // Keep draining its output so that a chatty emulator never blocks on a full pipe.
      child.stdout.resume();
      child.stderr.resume();
      if (error) reject(error);
      else if (value) resolve(value);
    }
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', onExit);
  });
}

async function stop(child: ChildProcessWithoutNullStreams, cwd: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(cwd, { recursive: true, force: true });
}
