import { randomUUID } from 'node:crypto';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname } from 'node:path';
import { StoreError } from './rules';
import type { StoreErrorDetails } from './rules';
import type { CardCopy } from './types';

/**
 * The SQLite store's files and what can go wrong with them at start: every failure becomes a StoreError
 * that names the setting, the folder (absolute), the file, what happened and what to do. Also the two small
 * files kept beside the database: the generation marker and the card-copies journal, both written so that
 * a crash at any point leaves either the old or the new content (temp file, fsync, rename, fsync of the
 * folder) or, for the journal, at worst a torn last line that is skipped on reading.
 */

export interface StoreLocation {
  /** The setting that chose the folder (DATA_DIR). */
  readonly setting: string;
  /** Absolute. */
  readonly directory: string;
  /** The database file, absolute. */
  readonly file: string;
}

const WRITE_ERRORS = new Set(['EACCES', 'EPERM', 'EROFS']);
const NOT_A_FOLDER = new Set(['EEXIST', 'ENOTDIR']);

const SQLITE_NAMES: Readonly<Record<number, string>> = {
  3: 'SQLITE_PERM',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  8: 'SQLITE_READONLY',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  26: 'SQLITE_NOTADB',
};

function errnoOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : null;
}

/** The primary SQLite result code of a node:sqlite error, or null for anything else. */
function sqliteCodeOf(error: unknown): number | null {
  const e = error as { code?: unknown; errcode?: unknown } | null;
  return e?.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number' ? e.errcode & 0xff : null;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function fail(
  code: `approvals.store.${string}`,
  where: StoreLocation,
  what: string,
  details: { readonly file: string | null; readonly cause: string; readonly action: string },
): StoreError {
  const full: StoreErrorDetails = {
    setting: where.setting,
    path: where.directory,
    file: details.file,
    cause: details.cause,
    action: details.action,
  };
  // `what` either continues the folder ("is read-only …") or starts with ": " and names a file in it.
  const separator = what.startsWith(':') ? '' : ' ';
  return new StoreError(
    code,
    oneLine(`${where.setting}=${where.directory}${separator}${what} ${details.action}`),
    full,
  );
}

function unwritable(where: StoreLocation, errno: string, creating: boolean, file: string | null): StoreError {
  const subject = file === null ? '' : `: ${file}`;
  const what =
    errno === 'EROFS'
      ? creating
        ? `could not be created: the file system is read-only (EROFS).`
        : `is read-only (EROFS)${subject}.`
      : creating
        ? `could not be created: permission denied (${errno}).`
        : `is not writable by this process (${errno})${subject}.`;
  return fail('approvals.store.dataDirUnwritable', where, what, {
    file,
    cause: errno,
    action: `Set ${where.setting} to a writable folder${errno === 'EROFS' ? '' : ', or give this user write access to it'}.`,
  });
}

/**
 * Creates the folder when missing. A recursive mkdir that cannot create a level reports ENOENT whatever the
 * reason (read-only, no permission), so on failure the first missing level is created alone for the cause.
 */
function makeFolder(directory: string): void {
  try {
    mkdirSync(directory, { recursive: true });
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
    let missing = directory;
    while (dirname(missing) !== missing && !existsSync(dirname(missing))) missing = dirname(missing);
    mkdirSync(missing);
    mkdirSync(directory, { recursive: true });
  }
}

/** Creates the folder when missing and checks that this process may write in it (and to the database). */
export function prepareDirectory(where: StoreLocation): void {
  try {
    makeFolder(where.directory);
  } catch (error) {
    const errno = errnoOf(error) ?? 'unknown';
    if (NOT_A_FOLDER.has(errno)) {
      const what =
        errno === 'EEXIST'
          ? `is a file, not a folder (EEXIST).`
          : `is not a folder: part of its path is a file (ENOTDIR).`;
      throw fail('approvals.store.dataDirNotFolder', where, what, {
        file: null,
        cause: errno,
        action: `Set ${where.setting} to a folder (it is created when missing).`,
      });
    }
    if (WRITE_ERRORS.has(errno)) throw unwritable(where, errno, true, null);
    throw openFailure(error, where);
  }
  if (!statSync(where.directory).isDirectory()) {
    throw fail('approvals.store.dataDirNotFolder', where, 'is a file, not a folder (ENOTDIR).', {
      file: null,
      cause: 'ENOTDIR',
      action: `Set ${where.setting} to a folder (it is created when missing).`,
    });
  }
  // access(2) answers EROFS on a read-only mount and EACCES without permission, whoever we are.
  for (const path of [where.directory, where.file, `${where.file}-wal`, `${where.file}-shm`]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === 'ENOENT') continue;
      if (errno && WRITE_ERRORS.has(errno))
        throw unwritable(where, errno, false, path === where.directory ? null : path);
      throw openFailure(error, where);
    }
  }
}

/**
 * Turns whatever opening threw into a StoreError naming the setting and the path; a StoreError that
 * already has details passes through.
 */
export function openFailure(error: unknown, where: StoreLocation): StoreError {
  if (error instanceof StoreError && error.details) return error;
  const sqlite = sqliteCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const name = sqlite === null ? null : (SQLITE_NAMES[sqlite] ?? `SQLite error ${sqlite}`);
  if (sqlite === 26) {
    return fail(
      'approvals.store.notDatabase',
      where,
      `holds ${where.file}, which is not a SQLite database (SQLITE_NOTADB).`,
      {
        file: where.file,
        cause: 'SQLITE_NOTADB',
        action: `Move that file away to start with an empty store, or set ${where.setting} to the bot's data folder.`,
      },
    );
  }
  if (sqlite === 11) return corrupt(where, `SQLITE_CORRUPT: ${message}`);
  if (sqlite === 8) {
    return fail(
      'approvals.store.dataDirUnwritable',
      where,
      `holds ${where.file}, which cannot be written (SQLITE_READONLY: ${message}).`,
      {
        file: where.file,
        cause: 'SQLITE_READONLY',
        action: `Give this user write access to the folder and its approvals files, or set ${where.setting} to a writable folder.`,
      },
    );
  }
  const errno = errnoOf(error);
  const path = (error as { path?: unknown } | null)?.path;
  const file = typeof path === 'string' && path !== where.directory ? path : null;
  if (errno && WRITE_ERRORS.has(errno)) return unwritable(where, errno, false, file);
  if (errno === 'ENOSPC' || sqlite === 13) {
    return fail('approvals.store.dataDirFull', where, `is full (${errno ?? 'SQLITE_FULL'}).`, {
      file: null,
      cause: errno ?? 'SQLITE_FULL',
      action: `Free some space, or set ${where.setting} to a folder with room.`,
    });
  }
  const cause = name ?? errno ?? 'error';
  return fail(
    'approvals.store.openFailed',
    where,
    `: ${where.file} could not be opened (${cause}: ${message}).`,
    {
      file: where.file,
      cause,
      action: `Check that this user can read and write the folder and its files, and that no other program locks them.`,
    },
  );
}

function corrupt(where: StoreLocation, found: string): StoreError {
  return fail('approvals.store.corrupt', where, `: ${where.file} is damaged (${found}).`, {
    file: where.file,
    cause: 'quick_check',
    action: `Restore it from a backup, or move it (with its -wal and -shm files) away to start with an empty store.`,
  });
}

/** The failure for a file that `PRAGMA quick_check` finds damaged; `problems` are its first lines. */
export function quickCheckFailure(where: StoreLocation, problems: readonly string[]): StoreError {
  const shown = problems.slice(0, 2).join('; ');
  return corrupt(where, `PRAGMA quick_check: ${shown.length > 300 ? `${shown.slice(0, 300)}…` : shown}`);
}

export function schemaTooNewFailure(where: StoreLocation, found: number, known: number): StoreError {
  return fail(
    'approvals.store.schemaTooNew',
    where,
    `: ${where.file} was written by a newer version of the bot (schema ${found}, this build knows ${known}).`,
    {
      file: where.file,
      cause: `schema ${found}`,
      action: `Upgrade the bot, or set ${where.setting} to another folder.`,
    },
  );
}

// ---- Atomic small files ----

function syncFolder(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `text`: a crash leaves the old content or the new one, never a mix. */
export function writeAtomically(path: string, text: string): void {
  // One temp name per writer: several processes may replace the same file at once.
  const temp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  syncFolder(dirname(path));
}

// ---- The generation marker ----

export interface Marker {
  readonly generation: number;
  readonly at: string;
}

export type MarkerRead =
  | { readonly kind: 'found'; readonly marker: Marker }
  | { readonly kind: 'missing' }
  | { readonly kind: 'unreadable'; readonly reason: string };

export function readMarker(path: string): MarkerRead {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
  }
  try {
    const parsed = JSON.parse(text) as { generation?: unknown; at?: unknown };
    if (typeof parsed.generation === 'number' && Number.isSafeInteger(parsed.generation)) {
      return {
        kind: 'found',
        marker: { generation: parsed.generation, at: typeof parsed.at === 'string' ? parsed.at : '' },
      };
    }
  } catch {
    // Falls through: not JSON.
  }
  return { kind: 'unreadable', reason: `${basename(path)} does not hold a generation` };
}

export function writeMarker(path: string, marker: Marker): void {
  writeAtomically(path, `${JSON.stringify(marker)}\n`);
}

// ---- The card-copies journal ----

/** One line of the journal: a copy, and when it was written (ms since epoch, this machine's clock). */
export interface JournalLine {
  readonly at: number;
  readonly copy: CardCopy;
}

/** Appends one line and waits until it is on disk (fdatasync). */
export function appendJournal(path: string, line: JournalLine): void {
  const fd = openSync(path, 'a');
  try {
    writeSync(fd, `${JSON.stringify(line)}\n`);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function parseLine(text: string): JournalLine | null {
  try {
    const line = JSON.parse(text) as Partial<JournalLine>;
    const copy = line.copy;
    if (typeof line.at !== 'number' || !copy || typeof copy !== 'object') return null;
    if (typeof copy.itemKey !== 'string' || typeof copy.conversationId !== 'string') return null;
    if (typeof copy.activityId !== 'string') return null;
    return { at: line.at, copy };
  } catch {
    // A torn last line (a crash in the middle of an append) or garbage: skipped.
    return null;
  }
}

/** Every readable line, oldest first; a missing journal is an empty one. */
export function readJournal(path: string): JournalLine[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return [];
    throw error;
  }
  const lines: JournalLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const line = parseLine(raw);
    if (line) lines.push(line);
  }
  return lines;
}

/** When the first (oldest) line was written, reading only the start of the file; null when empty. */
export function oldestJournalLine(path: string): number | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw error;
  }
  try {
    const buffer = Buffer.alloc(16 * 1024);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, read).toString('utf8');
    const end = text.indexOf('\n');
    // A first line longer than the buffer: say "old" so that the rewrite reads it properly.
    if (end < 0) return read === 0 ? null : 0;
    return parseLine(text.slice(0, end))?.at ?? 0;
  } finally {
    closeSync(fd);
  }
}

/** Keeps the lines written at or after `keepFrom` (atomically); returns how many were dropped. */
export function trimJournal(path: string, keepFrom: number): number {
  const lines = readJournal(path);
  const kept = lines.filter((l) => l.at >= keepFrom);
  writeAtomically(path, kept.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return lines.length - kept.length;
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
