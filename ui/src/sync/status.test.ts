// The status shown is the newest one composed, whatever order events and answers arrive in.
import { describe, expect, it } from 'vitest';
import type { SyncStatusView } from '../lib/backend';
import { keepNewest, sync } from './status.svelte';

function status(state: SyncStatusView['state'], revision: number): SyncStatusView {
  return {
    revision,
    state,
    joined: true,
    server_url: 'http://127.0.0.1:8470',
    username: 'sup.ani',
    role: 'supervisor',
    online: true,
    pending: 0,
    last_success: null,
    last_attempt: null,
    last_error: null,
    progress: null,
    held: 0,
    update_needed: 0,
    security_alarms: 0,
    waiting_for_keys: false,
    server_restored_at: null,
  };
}

/** The state shown now (read through a function: TypeScript would keep the null it was set to). */
const shown = (): string | undefined => sync.status?.state;

describe('the sync status shown', () => {
  it('is not replaced by an older one that arrives late (a join answer after the round ended)', () => {
    sync.status = null;
    keepNewest(status('syncing', 4));
    keepNewest(status('synced', 9)); // the round's last event
    keepNewest(status('syncing', 5)); // the join's answer, composed earlier, arriving now
    expect(shown()).toBe('synced');
    keepNewest(status('offline', 10));
    expect(shown()).toBe('offline');
  });
});
