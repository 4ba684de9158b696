// What the header's sync indicator says for a status: a catalogue key with its parameters and a
// tone for the colour. Pure, so every state is unit-tested.
import type { SyncStatusView } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';

export type Tone = 'ok' | 'busy' | 'warn' | 'danger' | 'muted';

export interface IndicatorText {
  key: MessageKey;
  params: Record<string, number>;
  tone: Tone;
}

/** The indicator's text, or null when there is nothing to show (not joined, not yet known). */
export function indicatorText(status: SyncStatusView | null): IndicatorText | null {
  if (status === null || !status.joined) return null;
  const count = status.pending;
  switch (status.state) {
    case 'synced':
      return { key: 'sync.synced', params: {}, tone: 'ok' };
    case 'syncing':
      return count > 0
        ? { key: 'sync.syncingCount', params: { count }, tone: 'busy' }
        : { key: 'sync.syncing', params: {}, tone: 'busy' };
    case 'offline':
      return count > 0
        ? { key: 'sync.offlineCount', params: { count }, tone: 'warn' }
        : { key: 'sync.offline', params: {}, tone: 'warn' };
    case 'pending':
      return count > 0
        ? { key: 'sync.pending', params: { count }, tone: 'busy' }
        : { key: 'sync.neverSynced', params: {}, tone: 'muted' };
    case 'waitingForKeys':
      return { key: 'sync.waitingForKeys', params: {}, tone: 'warn' };
    case 'revoked':
      return { key: 'sync.revoked', params: {}, tone: 'danger' };
    case 'error':
      return { key: 'sync.error', params: {}, tone: 'danger' };
    case 'locked':
      return { key: 'sync.locked', params: {}, tone: 'muted' };
    case 'notJoined':
      return null;
  }
}
