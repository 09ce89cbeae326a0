import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Call, Pipeline } from './pipeline';
import type { GraphVersion } from './types';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

function splitUrl(rawUrl: string): { version: GraphVersion | null; rawPath: string; rawQuery: string } {
  const cut = rawUrl.indexOf('?');
  const pathPart = (cut < 0 ? rawUrl : rawUrl.slice(0, cut)).replace(/^\/+/, '');
  const rawQuery = cut < 0 ? '' : rawUrl.slice(cut + 1);
  const slash = pathPart.indexOf('/');
  const first = (slash < 0 ? pathPart : pathPart.slice(0, slash)).toLowerCase();
  const rest = slash < 0 ? '' : pathPart.slice(slash + 1);
  if (first === 'v1.0') return { version: 'v1.0', rawPath: rest, rawQuery };
  if (first === 'beta') return { version: 'beta', rawPath: rest, rawQuery };
  return { version: null, rawPath: pathPart, rawQuery };
}

function headersOf(req: http.IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function readBody(req: http.IncomingMessage): Promise<string | 'tooLarge'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? 'tooLarge' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function serve(pipeline: Pipeline, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const text = await readBody(req);
  if (text === 'tooLarge') {
    res.writeHead(413, { 'Content-Type': 'application/json' });
    res.end(
      JSON.stringify({ error: { code: 'RequestEntityTooLarge', message: 'The request body is too large.' } }),
    );
    return;
  }
  const rawUrl = req.url ?? '/';
  const call: Call = {
    method: req.method ?? 'GET',
    rawUrl,
    ...splitUrl(rawUrl),
    headers: headersOf(req),
    body: text === '' ? { kind: 'none' } : { kind: 'text', text },
    batched: false,
  };
  const outcome = await pipeline.execute(call);
  if (res.destroyed) return;
  if (outcome.kind === 'drop') {
    // No answer at all: the client sees a reset connection, as when a proxy gives up.
    req.socket.destroy();
    return;
  }
  if (outcome.kind === 'text') {
    res.writeHead(outcome.status, { 'Content-Type': 'text/plain' });
    res.end(outcome.text);
    return;
  }
  res.writeHead(outcome.status, outcome.headers);
  res.end(outcome.body === undefined ? undefined : JSON.stringify(outcome.body));
}

export function listen(
  pipeline: Pipeline,
  host: string,
  port: number,
  onError: (error: unknown) => void,
): Promise<Listening> {
  const server = http.createServer((req, res) => {
    serve(pipeline, req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
