/** Types of package-lib.js: the Teams app package (manifest, icons, offline validation, zip). */

export interface DeveloperInfo {
  name: string;
  websiteUrl: string;
  privacyUrl: string;
  termsOfUseUrl: string;
}

export interface PackageOptions {
  /** The Azure Bot's Microsoft App ID (MicrosoftAppId), lower case. */
  botId: string;
  /** Client id of the app registration that signs users in (SSO_APP_ID; default: the bot id), lower case. */
  ssoAppId: string;
  /** The Teams app id (TEAMS_APP_ID), lower case. */
  teamsAppId: string;
  /** Host name for validDomains (BOT_DOMAIN). */
  botDomain: string;
  botDomainSource: 'BOT_DOMAIN' | 'BOT_ENDPOINT' | 'WEBSITE_HOSTNAME' | 'default';
  /** App version (APP_VERSION), three numbers. */
  version: string;
  developer: DeveloperInfo;
  local: boolean;
}

/** Values a manifest must carry; any left out is not checked. */
export interface Expected {
  botId?: string;
  /** webApplicationInfo.id; when left out it must equal the bot id. */
  ssoAppId?: string;
  teamsAppId?: string;
  botDomain?: string;
}

/** A manifest as JSON: the checks accept anything and report what is wrong. */
export type Manifest = Record<string, unknown>;

export interface ValidationResult {
  /** Each message starts with the file and the JSON pointer of the field it is about. */
  errors: string[];
  /** The manifest version of the bundled schema used, or null when `$schema` names none. */
  schemaVersion: string | null;
}

export interface PackageReport extends ValidationResult {
  manifest: Manifest | null;
  /** File names in the zip (folders excluded). */
  files: string[];
}

export interface BuildResult extends PackageReport {
  zip: Buffer;
}

export interface BuildSources {
  template?: Manifest;
  color?: Buffer;
  outline?: Buffer;
}

export const ROOT: string;
export const MANIFEST_DIR: string;
export const TEMPLATE_PATH: string;
export const DEFAULT_OUTPUT: string;
export const DEFAULT_TEAMS_APP_ID: string;
export const LOCAL_BOT_ID: string;
export const COLOR_SIZE: number;
export const OUTLINE_SIZE: number;

export class PackageError extends Error {
  readonly code: 'approvals.package.invalid';
  readonly problems: readonly string[];
  constructor(summary: string, problems: readonly string[]);
}

/** Reads the settings from the environment; throws a PackageError naming each wrong or missing variable. */
export function resolveOptions(
  env?: Readonly<Record<string, string | undefined>>,
  flags?: { local?: boolean },
): PackageOptions;
export function readTemplate(templatePath?: string): Manifest;
export function renderManifest(template: Manifest, options: PackageOptions): Manifest;
export function bundledSchemaPath(schemaUrl: unknown): { path: string; version: string } | { error: string };
/** Offline: the bundled JSON schema through AppManifestUtils.validateAgainstSchema, then our own rules. */
export function validateManifest(manifest: unknown, expected?: Expected): Promise<ValidationResult>;
export function checkIcon(kind: 'color' | 'outline', name: string, png: Buffer): string[];
export function drawColorIcon(): Buffer;
export function drawOutlineIcon(): Buffer;
export function createZip(files: Record<string, string | Buffer>): Promise<Buffer>;
export function inspectPackage(zip: Buffer, expected?: Expected): Promise<PackageReport>;
export function buildPackage(options: PackageOptions, sources?: BuildSources): Promise<BuildResult>;
export function summarize(result: BuildResult): string;
