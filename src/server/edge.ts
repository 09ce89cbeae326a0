import type { IncomingMessage } from 'node:http';

/**
 * The HTTP edge of the bot's POST endpoints: what a request must look like before a single byte of its
 * body is interpreted. Only `application/json` in UTF-8 is read, never compressed, never from a web page,
 * never more than the configured number of bytes; everything else is refused with a fixed 4xx answer.
 */

/** One error body shape for every non-2xx answer: `{ error: { code, message } }`. */
export interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

export const REFUSALS = {
  notJson: {
    status: 415,
    code: 'UnsupportedMediaType',
    message: 'Send the body as application/json (UTF-8).',
  },
  compressed: {
    status: 415,
    code: 'UnsupportedMediaType',
    message: 'Compressed bodies are not accepted; send the JSON uncompressed.',
  },
  fromWebPage: {
    status: 403,
    code: 'Forbidden',
    message: 'Requests from web pages are not accepted.',
  },
  tooLarge: { status: 413, code: 'PayloadTooLarge', message: 'The body is larger than this bot accepts.' },
  notUtf8: { status: 400, code: 'BadRequest', message: 'The body is not valid UTF-8.' },
  malformedJson: { status: 400, code: 'BadRequest', message: 'The body is not valid JSON.' },
  unreadable: { status: 400, code: 'BadRequest', message: 'The body could not be read.' },
} as const satisfies Record<string, Refusal>;

export type BodyRead =
  | { readonly ok: true; readonly text: string; readonly json: unknown }
  | { readonly ok: false; readonly refusal: Refusal };

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
}

/**
 * Browsers send `Origin` (and `Sec-Fetch-Site`) on cross-site POSTs, including the form and text posts
 * that need no CORS preflight. Teams, the Bot Connector and push senders are servers and send neither.
 */
function fromWebPage(req: IncomingMessage): boolean {
  if (header(req, 'origin') !== '') return true;
  const site = header(req, 'sec-fetch-site').toLowerCase();
  return site !== '' && site !== 'none';
}

function isJson(req: IncomingMessage): boolean {
  const [type, ...parameters] = header(req, 'content-type').toLowerCase().split(';');
  if (type?.trim() !== 'application/json') return false;
  return parameters.every((p) => {
    const [name, value] = p.split('=').map((s) => s.trim().replace(/^"|"$/g, ''));
    return name !== 'charset' || value === 'utf-8' || value === 'utf8';
  });
}

/** What is wrong with the request line and headers, before anything is read; null when it may be read. */
export function headerRefusal(req: IncomingMessage, maxBytes: number): Refusal | null {
  if (fromWebPage(req)) return REFUSALS.fromWebPage;
  const encoding = header(req, 'content-encoding').toLowerCase();
  if (encoding !== '' && encoding !== 'identity') return REFUSALS.compressed;
  if (!isJson(req)) return REFUSALS.notJson;
  const length = header(req, 'content-length');
  if (length !== '' && !(Number(length) <= maxBytes)) return REFUSALS.tooLarge;
  return null;
}

/** Reads at most `maxBytes` of the body, counting what arrives (not what Content-Length claims). */
function readLimited(req: IncomingMessage, maxBytes: number): Promise<Buffer | Refusal> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: Buffer | Refusal) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop reading: the rest is never buffered; the connection closes after the answer.
        req.pause();
        settle(REFUSALS.tooLarge);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => settle(Buffer.concat(chunks, size)));
    req.once('error', () => settle(REFUSALS.unreadable));
    req.once('aborted', () => settle(REFUSALS.unreadable));
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The request's JSON body, or the fixed refusal that says what is wrong with it. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  const refused = headerRefusal(req, maxBytes);
  if (refused) return { ok: false, refusal: refused };
  const raw = await readLimited(req, maxBytes);
  if (!Buffer.isBuffer(raw)) return { ok: false, refusal: raw };
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    return { ok: false, refusal: REFUSALS.notUtf8 };
  }
  try {
    return { ok: true, text, json: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, refusal: REFUSALS.malformedJson };
  }
}

export function errorBody(refusal: Pick<Refusal, 'code' | 'message'>): {
  readonly error: { readonly code: string; readonly message: string };
} {
  return { error: { code: refusal.code, message: refusal.message } };
}
