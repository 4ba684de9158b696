// The UI's idle lock: after the chosen minutes without a key press or a click, the app saves
// drafts and locks (the core's own timeout, a minute longer, is the backstop). One schedule for
// the whole app, so a new auto-lock setting applies the moment it is saved, not at the next
// unlock.
import { setAutoLock } from '../lib/backend';

/** How often the schedule looks at the clock. */
export const CHECK_EVERY_MS = 5_000;

let minutes = 5;
let lastActivity = Date.now();

/** The minutes in force (0: never). */
export function idleMinutes(): number {
  return minutes;
}

/** Puts `m` in force now; choosing counts as activity, so a shorter delay never locks at once. */
export function applyIdleMinutes(m: number): void {
  minutes = m;
  lastActivity = Date.now();
}

/** A key press or a click. */
export function noteActivity(): void {
  lastActivity = Date.now();
}

/** Whether the user has been idle past the delay in force. */
export function idleExpired(now = Date.now()): boolean {
  return minutes > 0 && now - lastActivity > minutes * 60_000;
}

/** Calls `onIdle` once the user is idle past the delay in force (checked every few seconds);
 * returns the function that stops watching. */
export function watchIdle(onIdle: () => void): () => void {
  const timer = setInterval(() => {
    if (idleExpired()) onIdle();
  }, CHECK_EVERY_MS);
  return () => clearInterval(timer);
}

/** Saves the auto-lock setting in the core (which applies it to the vault) and puts the saved
 * value in force here at once. Returns the saved minutes.
 *
 * Fails with the core's error (then nothing changed here). */
export async function saveAutoLock(m: number): Promise<number> {
  const saved = await setAutoLock(m);
  applyIdleMinutes(saved);
  return saved;
}
