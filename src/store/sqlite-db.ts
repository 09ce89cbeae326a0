import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, StatementSync } from 'node:sqlite';

/**
 * A thin typed layer over Node's built-in SQLite (`node:sqlite`, synchronous like the rest of the store):
 * statements typed by their parameters and rows, single-column reads, and BEGIN IMMEDIATE transactions.
 */

export type Db = DatabaseSync;

/** Positional parameters as a tuple, or one object of named parameters (`@name` in the SQL). */
type Params = readonly SQLInputValue[] | Readonly<Record<string, SQLInputValue>>;
type Args<P extends Params> = P extends readonly SQLInputValue[] ? P : [P];

export interface Statement<P extends Params, R> {
  get(...args: Args<P>): R | undefined;
  all(...args: Args<P>): R[];
  run(...args: Args<P>): { readonly changes: number };
}

function bind<P extends Params, R>(statement: StatementSync, pick: (row: object) => R): Statement<P, R> {
  const params = (args: Args<P>) => args as unknown as SQLInputValue[];
  return {
    get: (...args) => {
      const row = statement.get(...params(args));
      return row === undefined ? undefined : pick(row);
    },
    all: (...args) => statement.all(...params(args)).map(pick),
    run: (...args) => ({ changes: Number(statement.run(...params(args)).changes) }),
  };
}

// Rows come back as plain objects shaped by our own SQL: the casts name the shape the SELECT gives.
export function statement<P extends Params, R = never>(db: Db, sql: string): Statement<P, R> {
  return bind<P, R>(db.prepare(sql), (row) => row as R);
}

/** A statement whose rows are reduced to their only column. */
export function column<P extends Params, R>(db: Db, sql: string): Statement<P, R> {
  return bind<P, R>(db.prepare(sql), (row) => Object.values(row)[0] as R);
}

/**
 * `work` inside BEGIN IMMEDIATE … COMMIT: the write lock is taken before anything is read, so another
 * process on the same file waits (busy timeout) instead of interleaving. Any exception rolls back.
 */
export function immediate<A extends unknown[], R>(db: Db, work: (...args: A) => R): (...args: A) => R {
  return (...args) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = work(...args);
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };
}

export function openDatabase(path: string, options: { readonly timeoutMs: number }): Db {
  return new DatabaseSync(path, { timeout: options.timeoutMs });
}
