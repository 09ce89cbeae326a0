/** JSON values as the sandbox renders them; `undefined` members are dropped by JSON.stringify. */
export type Json = null | boolean | number | string | readonly Json[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: Json | undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type ParsedJson = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

// Deliberately forgives trailing commas, so the docs' samples work as printed (G14).
export function parseJsonLenient(text: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    try {
      return { ok: true, value: JSON.parse(stripTrailingCommas(text)) as unknown };
    } catch {
      return { ok: false };
    }
  }
}

function stripTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (inString) {
      out += ch;
      if (ch === '\\') {
        out += text.charAt(i + 1);
        i += 1;
      } else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    if (ch === ',') {
      const rest = text.slice(i + 1).trimStart();
      if (rest.startsWith('}') || rest.startsWith(']')) continue;
    }
    out += ch;
  }
  return out;
}
