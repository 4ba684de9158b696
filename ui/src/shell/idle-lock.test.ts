import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { applyIdleMinutes, idleMinutes, noteActivity, saveAutoLock, watchIdle } from './idle-lock';

beforeEach(() => {
  vi.useFakeTimers();
  applyIdleMinutes(5);
});
afterEach(() => {
  vi.useRealTimers();
  clearMocks();
});

describe('idle lock', () => {
  it('a saved auto-lock setting applies at once, not at the next unlock', async () => {
    mockIPC((cmd, args) => {
      if (cmd !== 'set_auto_lock') throw new Error(`unexpected ${cmd}`);
      return (args as { minutes: number }).minutes;
    });
    const onIdle = vi.fn();
    const stop = watchIdle(onIdle);
    await saveAutoLock(1);
    expect(idleMinutes()).toBe(1);
    vi.advanceTimersByTime(55_000);
    expect(onIdle, 'still within the minute').not.toHaveBeenCalled();
    vi.advanceTimersByTime(10_000);
    expect(onIdle, 'locked after 1 minute, not the 5 in force before').toHaveBeenCalled();
    stop();
  });

  it('a longer setting keeps the vault open past the old delay', async () => {
    mockIPC((_cmd, args) => (args as { minutes: number }).minutes);
    const onIdle = vi.fn();
    const stop = watchIdle(onIdle);
    await saveAutoLock(30);
    vi.advanceTimersByTime(6 * 60_000);
    expect(onIdle, 'the old 5 minutes no longer lock').not.toHaveBeenCalled();
    vi.advanceTimersByTime(25 * 60_000);
    expect(onIdle).toHaveBeenCalled();
    stop();
  });

  it('activity postpones the lock; a refused setting changes nothing', async () => {
    mockIPC(() => {
      throw { code: 'InvalidInput', message: 'auto-lock must be 1 to 120 minutes' };
    });
    await expect(saveAutoLock(0)).rejects.toMatchObject({ code: 'InvalidInput' });
    expect(idleMinutes(), 'the core refused: the old delay stays').toBe(5);
    const onIdle = vi.fn();
    const stop = watchIdle(onIdle);
    vi.advanceTimersByTime(4 * 60_000);
    noteActivity();
    vi.advanceTimersByTime(4 * 60_000);
    expect(onIdle, 'the click restarted the count').not.toHaveBeenCalled();
    stop();
  });
});
