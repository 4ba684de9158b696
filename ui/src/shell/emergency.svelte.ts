// Whether the emergency numbers panel is open: the header button, Ctrl+Shift+D and every red
// flag open the same panel (a red flag must point to the escalation path, not just name it).
export const emergency = $state<{ open: boolean }>({ open: false });

export function openEmergency(): void {
  emergency.open = true;
}

export function closeEmergency(): void {
  emergency.open = false;
}
