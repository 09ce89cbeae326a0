/** Sleeps that close() can cut short, so that an injected latency never holds the process open. */
export class Timers {
  private readonly pending = new Map<NodeJS.Timeout, () => void>();

  readonly sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });

  cancelAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
  }
}
