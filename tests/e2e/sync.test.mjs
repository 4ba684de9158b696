// Sync on the real app against the real teduh-server binary: a supervisor joins her organisation
// from the first-run screen with an invitation made by `teduh-server admin`, her client reaches
// the server ("Tersinkron"); with the server gone the header turns offline within a health check
// and the next client waits ("Offline sejak HH.mm — N menunggu"); when the server returns, the app finds it and syncs without anyone pressing a
// button.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogueText, maybeSaveDocScreenshot, withHarness } from './harness.mjs';
import { addClient, assertFitsBothLanguages, until } from './flows.mjs';

const PASSPHRASE = 'kopi pagi di teras rumah';


/** Waits until the header's sync indicator shows `state` with a text that `accept`s. */
async function indicator(app, state, accept, what, timeoutMs) {
  let seen = '';
  return until(
    async () => {
      const [el] = await app.attributes('[data-testid=sync-indicator]', 'data-state');
      seen = `${el} ${await app.text('[data-testid=sync-indicator]').catch(() => '')}`;
      if (el !== state) return false;
      const text = await app.text('[data-testid=sync-indicator]');
      return accept(text) ? text : false;
    },
    // A getter: the message is read when the wait fails, with the last state seen.
    { toString: () => `${what} (indicator showed: ${seen})` },
    timeoutMs,
  );
}


test('a supervisor joins from the first-run screen, syncs, keeps working offline and catches up by herself', async () => {
  await withHarness('sync', async (h) => {
    // The administrator's side, on the same data directory as the running server.
    h.admin('init-org', 'Organisasi Uji E2E');
    h.admin('create-team', 'Tim E2E');
    // A supervisor: her own device makes the team key, so her records go out at once (a
    // counselor would wait for a supervisor's device: "Menunggu supervisor ...").
    const invitation = h.admin('invite', '--team', 'Tim E2E', '--role', 'supervisor').split('\n')[0].trim();
    assert.match(invitation, /\S{6,}/, 'teduh-server admin invite prints the code first');

    const app = await h.openApp('supervisor');
    await app.resize(1366, 768);
    await app.click('[data-testid=setup-choice-join]');
    await app.waitFor('[data-testid=join-form]');
    await app.clear('[data-testid=join-server]');
    await app.type('[data-testid=join-server]', h.serverUrl);
    await app.type('[data-testid=join-username]', 'sup.ani');
    await app.type('[data-testid=join-invitation]', invitation);
    await app.type('[data-testid=join-passphrase]', PASSPHRASE);
    await app.type('[data-testid=join-confirm]', PASSPHRASE);
    if (process.env.TEDUH_UPDATE_SCREENSHOTS === '1') await app.execute('window.scrollTo(0, 0)');
    await maybeSaveDocScreenshot(app, 'screenshots/join.png');
    await app.click('[data-testid=join-submit]');
    await app.waitFor('[data-testid=today]', { timeoutMs: 30_000 });

    const synced = catalogueText('id', 'sync.synced');
    await indicator(app, 'synced', (t) => t === synced, 'the first round after joining');

    let t0 = Date.now();
    await addClient(app, 'K-0001');
    await indicator(app, 'synced', (t) => t === synced, 'the new client to reach the server');
    console.log(`client written -> "${synced}" in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // The server goes away: with nothing pending the header turns offline at the next health
    // check (every 10 s), not at the next round a minute later, and says when it was last in
    // touch. Work goes on and waits on this computer.
    await h.stopServer();
    t0 = Date.now();
    const idle = new RegExp(`^${catalogueText('id', 'sync.offlineSince').replace('{since}', '.+')}$`);
    await indicator(app, 'offline', (t) => idle.test(t), 'offline, with when it was last in touch', 25_000);
    console.log(`server stopped -> offline in ${((Date.now() - t0) / 1000).toFixed(1)} s, nothing pending`);
    await addClient(app, 'K-0002');
    const template = catalogueText('id', 'sync.offlineCountSince');
    const offline = new RegExp(`^${template.replace('{since}', '.+').replace('{count}', '(\\d+)')}$`);
    const text = await indicator(app, 'offline', (t) => offline.test(t), 'the offline state with records waiting');
    const waiting = Number(offline.exec(text)[1]);
    assert.ok(waiting >= 1, `the new client waits on this computer: "${text}"`);
    // The longest sync text, in English too: the header still fits 1366 px with the language
    // select on screen (before the header wrapped, the page grew to 1490 px and the select left it).
    await assertFitsBothLanguages(app, 'a supervisor offline with changes waiting');
    await maybeSaveDocScreenshot(app, 'screenshots/sync-offline.png');

    // The server comes back on the same address: the app notices by itself (health probe with
    // backoff from 5 s) and sends what waited.
    t0 = Date.now();
    await h.startServer({ listen: new URL(h.serverUrl).host });
    await indicator(app, 'synced', (t) => t === synced, 'sync to resume without user action', 45_000);
    console.log(`server restarted -> "${synced}" in ${((Date.now() - t0) / 1000).toFixed(1)} s, no user action`);

    // Settings: the details, and a manual round that changes nothing.
    await app.click('[data-testid=sync-indicator]');
    await app.waitForText('[data-testid=sync-panel-pending]', (t) => t === '0');
    await app.waitForText('[data-testid=sync-panel-server]', (t) => t === h.serverUrl);
    await app.click('[data-testid=sync-now]');
    await app.waitForText('[data-testid=sync-panel-state]', (t) => t === synced);
    await maybeSaveDocScreenshot(app, 'screenshots/sync-settings.png');

    // The server address of a joined computer is its team's: Settings shows it, and an address
    // where the team's server does not answer is refused with nothing changed.
    const fieldValue = () => app.execute('return document.querySelector("[data-testid=settings-server]").value');
    assert.equal(await fieldValue(), h.serverUrl, "Settings shows the team's server");
    const joinedHint = catalogueText('id', 'settings.serverJoined').replace('{username}', 'sup.ani');
    await app.waitForText('[data-testid=settings-server-hint]', (t) => t === joinedHint);
    await app.clear('[data-testid=settings-server]');
    await app.type('[data-testid=settings-server]', 'http://127.0.0.1:9');
    await app.click('[data-testid=settings-save]');
    // Moving the team's server is a trust decision: she confirms it first.
    await app.click('[data-testid=settings-confirm-yes]');
    const unreachable = catalogueText('id', 'error.ServerUnreachable');
    await app.waitForText('[data-testid=error]', (t) => t === unreachable, { timeoutMs: 30_000 });
    await app.waitForText('[data-testid=sync-panel-server]', (t) => t === h.serverUrl);
  });
});
