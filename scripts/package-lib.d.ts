/** Types of package-lib.js, for the tests. */

/** The template's variables, keyed by the environment variable that sets each. */
export type Settings = Record<string, string>;

export interface PackageReport {
  /** Each error names the file and the JSON pointer it is about, and in a build the variable that set it. */
  errors: string[];
  manifest: Record<string, unknown> | null;
  files: string[];
}

export const MANIFEST_DIR: string;
export const TEMPLATE_PATH: string;
export const DEFAULT_OUTPUT: string;
export const DEFAULT_TEAMS_APP_ID: string;
export const LOCAL_BOT_ID: string;
export class PackageError extends Error {}

export function settings(
  env?: Readonly<Record<string, string | undefined>>,
  flags?: { local?: boolean },
): Settings;
export function renderManifest(values: Settings, template?: string): string;
export function validateManifest(manifest: unknown, botId?: string, ssoAppId?: string): Promise<string[]>;
export function inspectPackage(
  zip: Buffer,
  expected?: { botId?: string; ssoAppId?: string; template?: string },
): Promise<PackageReport>;
export function createZip(files: Record<string, string | Buffer>): Promise<Buffer>;
export function buildPackage(
  env?: Readonly<Record<string, string | undefined>>,
  flags?: { local?: boolean },
): Promise<PackageReport & { zip: Buffer; values: Settings }>;
export function summarize(result: PackageReport & { zip: Buffer }): string;
