// Steps several e2e files share: waiting for a condition, joining an organisation from the
// first-run screen, running a sync round from Settings, adding a client.
import { catalogueText } from './harness.mjs';

/** Polls `check` until it returns something truthy (or times out, naming `what`). */
export async function until(check, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

/** First run: joins the organisation at `serverUrl` with an invitation code; lands on Home. */
export async function joinFromFirstRun(app, { serverUrl, username, invitation, passphrase }) {
  await app.click('[data-testid=setup-choice-join]');
  await app.waitFor('[data-testid=join-form]');
  await app.clear('[data-testid=join-server]');
  await app.type('[data-testid=join-server]', serverUrl);
  await app.type('[data-testid=join-username]', username);
  await app.type('[data-testid=join-invitation]', invitation);
  await app.type('[data-testid=join-passphrase]', passphrase);
  await app.type('[data-testid=join-confirm]', passphrase);
  await app.click('[data-testid=join-submit]');
  await app.waitFor('[data-testid=today]', { timeoutMs: 30_000 });
}

/**
 * Runs a sync round from Settings ("Sinkronkan sekarang") until the panel says synced with
 * nothing pending; rounds are repeated because one member's round may wait for another's keys.
 */
export async function syncNow(app, what = 'a sync round', timeoutMs = 45_000) {
  const synced = catalogueText('id', 'sync.synced');
  await app.click('[data-testid=nav-about]');
  await app.waitFor('[data-testid=sync-now]');
  await until(
    async () => {
      if (!(await app.enabled('[data-testid=sync-now]'))) return false;
      await app.click('[data-testid=sync-now]');
      await until(() => app.enabled('[data-testid=sync-now]'), 'the round to end', timeoutMs);
      const state = await app.text('[data-testid=sync-panel-state]');
      const pending = await app.text('[data-testid=sync-panel-pending]');
      return state === synced && pending === '0';
    },
    what,
    timeoutMs,
  );
}

/** Adds a client from the client list; lands on her profile. */
export async function addClient(app, code, age = '29') {
  await app.click('[data-testid=nav-clients]');
  await app.click('[data-testid=client-new]');
  await app.type('[data-testid=client-code]', code);
  await app.type('[data-testid=client-name]', 'Klien Sintetis');
  await app.type('[data-testid=client-estimated-age]', age);
  await app.click('[data-testid=client-save]');
  await app.waitForText('[data-testid=profile-code]', (t) => t === code);
}
