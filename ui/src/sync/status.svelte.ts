// The sync status shared by the header indicator and Settings: fetched once, then kept current
// by the core's `sync-status` events (no polling).
import { onSyncStatus, syncStatus, type SyncStatusView } from '../lib/backend';

export const sync = $state<{ status: SyncStatusView | null }>({ status: null });

let stop: (() => void) | null = null;

/** Starts listening (idempotent) and reads the current status. */
export async function watchSyncStatus(): Promise<void> {
  if (stop === null) {
    stop = () => undefined;
    stop = await onSyncStatus(keepNewest);
  }
  await refreshSyncStatus();
}

/** Reads the status now (after joining, or when the window opens). */
export async function refreshSyncStatus(): Promise<void> {
  try {
    keepNewest(await syncStatus());
  } catch {
    // The indicator simply stays as it was; events keep it current.
  }
}

/** Sets the status from a command's answer (join, sync now). */
export function setSyncStatus(status: SyncStatusView): void {
  keepNewest(status);
}

/** Takes `status` unless a newer one is already shown: events and command answers may arrive
 * out of order (a join's answer composed while the first round started can come after that
 * round's last event), and an older one must never bring back a state that has passed. */
export function keepNewest(status: SyncStatusView): void {
  if (sync.status === null || status.revision >= sync.status.revision) sync.status = status;
}
