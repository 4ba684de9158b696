// The sync status shared by the header indicator and Settings: fetched once, then kept current
// by the core's `sync-status` events (no polling).
import { onSyncStatus, syncStatus, type SyncStatusView } from '../lib/backend';

export const sync = $state<{ status: SyncStatusView | null }>({ status: null });

let stop: (() => void) | null = null;

/** Starts listening (idempotent) and reads the current status. */
export async function watchSyncStatus(): Promise<void> {
  if (stop === null) {
    stop = () => undefined;
    stop = await onSyncStatus((s) => {
      sync.status = s;
    });
  }
  await refreshSyncStatus();
}

/** Reads the status now (after joining, or when the window opens). */
export async function refreshSyncStatus(): Promise<void> {
  try {
    sync.status = await syncStatus();
  } catch {
    // The indicator simply stays as it was; events keep it current.
  }
}

/** Sets the status from a command's answer (join, sync now). */
export function setSyncStatus(status: SyncStatusView): void {
  sync.status = status;
}
