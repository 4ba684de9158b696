import { describe, expect, it, vi } from 'vitest';
import { debounced, flushAll, registerFlush } from './autosave';

describe('autosave', () => {
  it('saves once after typing pauses', async () => {
    vi.useFakeTimers();
    const save = vi.fn(async () => {});
    const d = debounced(save, 500);
    d.schedule();
    d.schedule();
    d.schedule();
    expect(save).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(600);
    expect(save).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });

  it('writes a pending draft at once when flushed (before a lock)', async () => {
    const save = vi.fn(async () => {});
    const d = debounced(save, 60_000);
    const unregister = registerFlush(d.flush);
    d.schedule();
    await flushAll();
    expect(save).toHaveBeenCalledTimes(1);
    unregister();
  });

  it('runs saves one after another, never in parallel', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const save = async (): Promise<void> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
    };
    const d = debounced(save, 0);
    d.schedule();
    await d.flush();
    d.schedule();
    await d.flush();
    expect(maxInFlight).toBe(1);
  });
});
