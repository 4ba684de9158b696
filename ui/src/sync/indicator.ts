// What the header's sync indicator says for a status: a catalogue key with its parameters and a
// tone for the colour. Pure, so every state is unit-tested.
import type { SyncStatusView } from '../lib/backend';
import type { MessageKey } from '../lib/i18n/catalogue';
import { formatDate, formatTime } from '../lib/format/datetime';

export type Tone = 'ok' | 'busy' | 'warn' | 'danger' | 'muted';

export interface IndicatorText {
  key: MessageKey;
  params: Record<string, number | string>;
  tone: Tone;
}

/** When the server last answered a round, as the header says it ("14.05 WIB", or with the date). */
function lastInTouch(iso: string | null, now: Date): string | null {
  if (!iso) return null;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Jakarta';
  const then = new Date(iso);
  const sameDay = formatDate(then, zone) === formatDate(now, zone);
  return sameDay ? formatTime(then, zone) : `${formatDate(then, zone)} ${formatTime(then, zone)}`;
}

/** The indicator's text, or null when there is nothing to show (not joined, not yet known). */
export function indicatorText(status: SyncStatusView | null, now: Date = new Date()): IndicatorText | null {
  if (status === null || !status.joined) return null;
  const count = status.pending;
  const since = lastInTouch(status.last_success, now);
  switch (status.state) {
    case 'synced':
      // Up to date with everything this build can read; a newer version wrote the rest.
      return status.update_needed > 0
        ? { key: 'sync.updateNeeded', params: {}, tone: 'warn' }
        : { key: 'sync.synced', params: {}, tone: 'ok' };
    case 'syncing':
      return count > 0
        ? { key: 'sync.syncingCount', params: { count }, tone: 'busy' }
        : { key: 'sync.syncing', params: {}, tone: 'busy' };
    case 'offline':
      if (since !== null) {
        return count > 0
          ? { key: 'sync.offlineCountSince', params: { count, since }, tone: 'warn' }
          : { key: 'sync.offlineSince', params: { since }, tone: 'warn' };
      }
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

/** How long the "server restored from a backup" notice stays in the sync panel. */
export const RESTORE_NOTICE_DAYS = 7;

/** Whether the server was found restored from a backup within the last week (`now` for tests). */
export function restoredRecently(at: string | null, now: Date = new Date()): boolean {
  if (!at) return false;
  const age = now.getTime() - new Date(at).getTime();
  return age >= 0 && age <= RESTORE_NOTICE_DAYS * 24 * 3600 * 1000;
}
