// Whether the emergency numbers panel is open: the header button, Ctrl+Shift+D and every red
// flag open the same panel (a red flag must point to the escalation path, not just name it).
import { onCallNow, type OnCallNow } from '../lib/backend';

export const emergency = $state<{ open: boolean }>({ open: false });

export function openEmergency(): void {
  emergency.open = true;
}

export function closeEmergency(): void {
  emergency.open = false;
}

/** The supervisors on call now, for the panel (issue 22): none when the vault is locked, the
 * team has no rota, or the read fails; the emergency numbers show regardless. */
export async function supervisorsOnCall(): Promise<OnCallNow[]> {
  try {
    return await onCallNow();
  } catch {
    return [];
  }
}
