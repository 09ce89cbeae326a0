/**
 * Drift between the deployment (infra/*.bicep, infra/main.parameters.json, m365agents.yml, env/.env.dev)
 * and what the bot reads (src/config). Small parsers for the files as this project writes them, not for
 * Bicep or YAML in general: each one is tested on the real files, and drift.test.ts proves the checks bite.
 */

export interface BicepParam {
  readonly name: string;
  readonly hasDescription: boolean;
  readonly hasDefault: boolean;
  readonly secure: boolean;
}

export interface BicepOutput {
  readonly name: string;
  readonly hasDescription: boolean;
}

export interface AppSetting {
  readonly name: string;
  /** The value expression as written, e.g. `'azure'`, `OAUTH_CONNECTION_NAME`, `storage.outputs.tableUrl`. */
  readonly value: string;
}

/** Blanks out comments and the contents of single-quoted strings (keeping offsets), so that no `key:` or
 *  brace inside them is mistaken for code. */
function stripBicep(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && text[i + 1] === '*') {
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) {
        out += text[i] === '\n' ? '\n' : ' ';
        i++;
      }
      out += '  ';
      i += 2;
    } else if (c === "'") {
      out += "'";
      i++;
      while (i < text.length && text[i] !== "'") {
        if (text[i] === '\\') {
          out += '  ';
          i += 2;
        } else {
          out += text[i] === '\n' ? '\n' : ' ';
          i++;
        }
      }
      out += "'";
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Top-level `param` declarations with the decorators on the lines right above each. */
export function bicepParams(text: string): BicepParam[] {
  const lines = text.split('\n');
  const params: BicepParam[] = [];
  lines.forEach((line, index) => {
    const match = /^param\s+(\w+)\s+\w+(\s*=)?/.exec(line);
    if (!match) return;
    const decorators = decoratorsAbove(lines, index);
    params.push({
      name: match[1] as string,
      hasDescription: decorators.some((d) => d.startsWith('@description(')),
      hasDefault: match[2] !== undefined,
      secure: decorators.some((d) => d.startsWith('@secure(')),
    });
  });
  return params;
}

/** Top-level `output` declarations. */
export function bicepOutputs(text: string): BicepOutput[] {
  const lines = text.split('\n');
  const outputs: BicepOutput[] = [];
  lines.forEach((line, index) => {
    const match = /^output\s+(\w+)\s/.exec(line);
    if (!match) return;
    outputs.push({
      name: match[1] as string,
      hasDescription: decoratorsAbove(lines, index).some((d) => d.startsWith('@description(')),
    });
  });
  return outputs;
}

/** The decorator lines directly above a declaration, including those of a multi-line `@allowed([...])`. */
function decoratorsAbove(lines: readonly string[], index: number): string[] {
  const found: string[] = [];
  let inList = false;
  for (let i = index - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').trim();
    if (inList) {
      if (line.startsWith('@')) {
        found.push(line);
        inList = false;
      }
      continue;
    }
    if (line === '])') {
      inList = true;
      continue;
    }
    if (!line.startsWith('@')) break;
    found.push(line);
  }
  return found;
}

/**
 * The web app's settings: the member names of every object literal in `var appSettings = union(...)` of
 * main.bicep, conditional ones included (a setting the template writes only when it is given counts as
 * set). A member is a name followed by `:` right after `{`, `,` or the start of a line.
 */
export function bicepAppSettings(text: string): AppSetting[] {
  const code = stripBicep(text);
  const start = code.search(/^var appSettings = union\(/m);
  if (start < 0) return [];
  let depth = 0;
  let end = start;
  for (let i = code.indexOf('(', start); i < code.length; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')' && --depth === 0) {
      end = i;
      break;
    }
  }
  const block = code.slice(start, end);
  const original = text.slice(start, end);
  const settings: AppSetting[] = [];
  const member = /(^|[{,])[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*:[ \t]*([^\n,}]*)/gm;
  for (let match = member.exec(block); match; match = member.exec(block)) {
    const valueStart = match.index + match[0].length - (match[3] as string).length;
    const value = original.slice(valueStart, valueStart + (match[3] as string).length).trim();
    settings.push({ name: match[2] as string, value });
  }
  return settings;
}

/** The variables src/config/index.ts reads: r.text('X'), r.int('X', …), r.oneOf('X', …), r.url('X'). */
export function settingsReadByConfig(source: string): string[] {
  const names = new Set<string>();
  const read = /\br\.(?:text|int|oneOf|url)(?:<[^>(]*>)?\(\s*'([^']+)'/g;
  for (let match = read.exec(source); match; match = read.exec(source)) names.add(match[1] as string);
  return [...names];
}

/** The variables scripts/package-lib.js reads: get('X') from the environment. */
export function settingsReadByPackaging(source: string): string[] {
  const names = new Set<string>();
  const read = /\bget\(\s*'([^']+)'/g;
  for (let match = read.exec(source); match; match = read.exec(source)) names.add(match[1] as string);
  return [...names];
}

/** Every ${{NAME}} placeholder the toolkit expands. */
export function envReferences(text: string): string[] {
  const names = new Set<string>();
  const ref = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
  for (let match = ref.exec(text); match; match = ref.exec(text)) names.add(match[1] as string);
  return [...names];
}

/** Variables an action writes: the values under each `writeToEnvironmentFile:` block of m365agents.yml. */
export function envWrites(yml: string): string[] {
  const names: string[] = [];
  const lines = yml.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\s*)writeToEnvironmentFile:\s*$/.exec(lines[i] ?? '');
    if (!head) continue;
    const indent = (head[1] as string).length;
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (line.trim() === '') continue;
      const entry = /^(\s*)\w+:\s*([A-Z][A-Z0-9_]*)\s*$/.exec(line);
      if (!entry || (entry[1] as string).length <= indent) break;
      names.push(entry[2] as string);
    }
  }
  return names;
}

/** Keys an env file declares (`NAME=`), and secrets it documents as comments (`# SECRET_NAME=`). */
export function envFileKeys(text: string): { declared: string[]; documentedSecrets: string[] } {
  const declared: string[] = [];
  const documentedSecrets: string[] = [];
  for (const line of text.split('\n')) {
    const key = /^([A-Z][A-Z0-9_]*)=/.exec(line);
    if (key) declared.push(key[1] as string);
    const secret = /^#\s*(SECRET_[A-Z0-9_]+)=/.exec(line);
    if (secret) documentedSecrets.push(secret[1] as string);
  }
  return { declared, documentedSecrets };
}

/** Parameter names and values of an ARM parameters file. */
export function parameterFile(json: string): Map<string, string> {
  const parsed = JSON.parse(json) as { parameters?: Record<string, { value?: unknown }> };
  const map = new Map<string, string>();
  for (const [name, entry] of Object.entries(parsed.parameters ?? {})) map.set(name, String(entry.value));
  return map;
}

/** The toolkit stores a deployment output X as the environment variable X in upper case. */
export const toolkitEnvName = (output: string): string => output.toUpperCase();

export interface DriftInputs {
  /** Settings the bot reads in production (from src/config, plus those read outside it). */
  readonly readByApp: readonly string[];
  /** Variables the Teams package script reads. */
  readonly readByPackaging: readonly string[];
  /** Read by the app but deliberately not set by the template, each with its reason. */
  readonly notFromInfra: Readonly<Record<string, string>>;
  /** Set by the template for the platform (App Service), not read by the app, each with its reason. */
  readonly platformSettings: Readonly<Record<string, string>>;
  /** Outputs only the toolkit uses (not app settings), each with its reason. */
  readonly toolkitOutputs: Readonly<Record<string, string>>;
  readonly mainBicep: string;
  readonly parametersJson: string;
  readonly agentsYml: string;
  readonly envFile: string;
}

/** Every drift found, one sentence each; empty when the deployment and the app agree. */
export function checkDrift(input: DriftInputs): string[] {
  const problems: string[] = [];
  const read = new Set(input.readByApp);
  const settings = bicepAppSettings(input.mainBicep);
  const set = new Set(settings.map((s) => s.name));
  const params = bicepParams(input.mainBicep);
  const paramNames = new Set(params.map((p) => p.name));
  const outputs = bicepOutputs(input.mainBicep);

  if (settings.length === 0) problems.push('main.bicep: no `var appSettings = union(...)` found');

  // 1. Every setting the app reads is set by the template, or listed as not from infra with a reason.
  for (const name of [...read].sort()) {
    const listed = Object.prototype.hasOwnProperty.call(input.notFromInfra, name);
    if (!set.has(name) && !listed) {
      problems.push(`${name} is read by the app but not set by the template (nor listed as not-from-infra)`);
    }
    if (set.has(name) && listed) {
      problems.push(`${name} is set by the template but also listed as not-from-infra`);
    }
  }
  for (const name of Object.keys(input.notFromInfra)) {
    if (!read.has(name)) problems.push(`${name} is listed as not-from-infra but the app does not read it`);
  }

  // 2. Every template setting is read by the app (or is a platform setting).
  for (const name of set) {
    if (!read.has(name) && !Object.prototype.hasOwnProperty.call(input.platformSettings, name)) {
      problems.push(`app setting ${name} is set by the template but not read by the app`);
    }
  }

  // 3. Naming: a parameter named like a setting is one the app reads, and a setting fed straight from a
  //    parameter carries that parameter's name.
  for (const p of params) {
    if (/^[A-Z]/.test(p.name) && !read.has(p.name)) {
      problems.push(`parameter ${p.name} is named like a setting the app does not read`);
    }
  }
  for (const s of settings) {
    if (paramNames.has(s.value) && s.value !== s.name) {
      problems.push(`app setting ${s.name} is fed by parameter ${s.value}: name the parameter ${s.name}`);
    }
  }

  // 4. Outputs: each is read by the app, by the package script, or listed as a toolkit output, and the
  //    toolkit project uses it (else it is dead).
  const ymlRefs = new Set(envReferences(input.agentsYml));
  for (const o of outputs) {
    const used =
      read.has(o.name) ||
      input.readByPackaging.includes(o.name) ||
      Object.prototype.hasOwnProperty.call(input.toolkitOutputs, o.name);
    if (!used) problems.push(`output ${o.name} is read neither by the app nor by the package script`);
    if (!ymlRefs.has(toolkitEnvName(o.name))) {
      problems.push(`output ${o.name} is not used by m365agents.yml (as \${{${toolkitEnvName(o.name)}}})`);
    }
  }

  // 5. The parameters file matches the template: known parameters, required ones given, setting-named
  //    parameters fed from the same name in upper case (SECRET_ in front for secure ones).
  const paramValues = parameterFile(input.parametersJson);
  for (const [name, value] of paramValues) {
    const p = params.find((x) => x.name === name);
    if (!p) {
      problems.push(`main.parameters.json sets ${name}, which main.bicep does not declare`);
      continue;
    }
    if (read.has(name)) {
      const expected = `\${{${p.secure ? 'SECRET_' : ''}${name.toUpperCase()}}}`;
      if (value !== expected)
        problems.push(`main.parameters.json: ${name} must be "${expected}", got "${value}"`);
    }
  }
  for (const p of params) {
    if (!p.hasDefault && !paramValues.has(p.name)) {
      problems.push(`main.bicep parameter ${p.name} has no default and main.parameters.json does not set it`);
    }
  }

  // 6. Every ${{X}} in the toolkit files is defined: in env/.env.dev, as a documented secret, written by an
  //    action, or produced by a template output.
  const env = envFileKeys(input.envFile);
  const defined = new Set([
    ...env.declared,
    ...env.documentedSecrets,
    ...envWrites(input.agentsYml),
    ...outputs.map((o) => toolkitEnvName(o.name)),
  ]);
  const sources: [string, string][] = [
    ['m365agents.yml', input.agentsYml],
    ['main.parameters.json', input.parametersJson],
  ];
  for (const [file, text] of sources) {
    for (const name of envReferences(text)) {
      if (!defined.has(name)) {
        problems.push(
          `${file} uses \${{${name}}}, which no template output, action or env/.env.dev entry provides`,
        );
      }
    }
  }
  return problems;
}

/** @description on every param and output of a Bicep file. */
export function missingDescriptions(file: string, text: string): string[] {
  return [
    ...bicepParams(text)
      .filter((p) => !p.hasDescription)
      .map((p) => `${file}: param ${p.name} has no @description`),
    ...bicepOutputs(text)
      .filter((o) => !o.hasDescription)
      .map((o) => `${file}: output ${o.name} has no @description`),
  ];
}
