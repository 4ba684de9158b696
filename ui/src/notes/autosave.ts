// Pending draft saves, so that locking (or leaving a screen) first writes what was typed.

type Flush = () => Promise<void>;
const pending = new Set<Flush>();

export function registerFlush(flush: Flush): () => void {
  pending.add(flush);
  return () => pending.delete(flush);
}

/** Writes every pending draft now; resolves when all are saved (or failed). */
export async function flushAll(): Promise<void> {
  await Promise.allSettled([...pending].map((f) => f()));
}

/** Debounces `save` by `ms`; `flush()` runs a pending save at once. */
export function debounced(save: () => Promise<void>, ms: number): { schedule: () => void; flush: () => Promise<void> } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  const run = (): Promise<void> => {
    timer = null;
    running = running.then(save, save);
    return running;
  };
  return {
    schedule: () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void run(), ms);
    },
    flush: () => {
      if (timer) {
        clearTimeout(timer);
        return run();
      }
      return running;
    },
  };
}
