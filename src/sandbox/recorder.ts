import type { RecordedRequest } from './types';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type RecordEntry = Mutable<RecordedRequest>;

/** Requests in arrival order; the status is filled in when the answer goes out. */
export class Recorder {
  private readonly entries: RecordEntry[] = [];

  get list(): readonly RecordedRequest[] {
    return this.entries;
  }

  add(entry: RecordedRequest): RecordEntry {
    const copy: RecordEntry = { ...entry };
    this.entries.push(copy);
    return copy;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
