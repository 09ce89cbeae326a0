/**
 * Preloaded into a bot process under test (`node --expose-gc -r …/heap-probe.ts`): on the IPC message
 * "heap" it collects garbage and answers with the process's memory figures. Nothing of this is in the
 * product.
 */
const collect = (globalThis as { gc?: () => void }).gc;

process.on('message', (message: unknown) => {
  if (message !== 'heap' || !process.send) return;
  collect?.();
  collect?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.send({ heapUsed, rss, gc: collect !== undefined });
});
// The IPC channel must not keep the process alive on its own.
process.channel?.unref();
