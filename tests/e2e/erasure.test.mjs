// Erasure by crypto-shredding (issue 26, UU PDP Ps 43-44) with two app instances on one
// server: a counselor registers a client and her erasure request (identity checked); the
// supervisor approves it in her app after a confirmation and is shown the notice to the person;
// the client leaves the supervisor's app at once and the counselor's at its next sync, and the register of erasures counts the
// devices that confirmed ("1 dari 2", then "2 dari 2"). All names are made up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withHarness } from './harness.mjs';
import { addClient, assertFitsBothLanguages, joinFromFirstRun, joinWithInvitation, syncNow, until } from './flows.mjs';

const CODE = 'HP-HAPUS';

async function clientCodes(app) {
  await app.click('[data-testid=nav-clients]');
  await app.waitFor('[data-testid=client-count]');
  return app.attributes('[data-testid=client-row]', 'data-code');
}

/** The register of erasures in Settings, read afresh (it loads when the screen opens). */
async function erasureProgress(app) {
  await app.click('[data-testid=nav-clients]');
  await app.click('[data-testid=nav-about]');
  await app.waitFor(`[data-testid=erasure-item][data-code="${CODE}"]`);
  return app.text(`[data-testid=erasure-item][data-code="${CODE}"] [data-testid=erasure-progress]`);
}

test('an approved erasure takes the client from both apps and counts their confirmations', async () => {
  await withHarness('erasure', async (h) => {
    h.admin('init-org', 'Organisasi Uji Hapus');
    h.admin('create-team', 'Tim Hapus');
    const invitation = h.admin('invite', '--team', 'Tim Hapus', '--role', 'supervisor').split('\n')[0].trim();

    const sup = await h.openApp('supervisor');
    await sup.resize(1366, 768);
    await joinFromFirstRun(sup, { serverUrl: h.serverUrl, username: 'sup.hapus', invitation, passphrase: 'pohon kelapa di tepi pantai' });
    await syncNow(sup, 'the supervisor to make the team key');
    await sup.waitFor('[data-testid=invite-member]');
    await sup.type('[data-testid=invite-username]', 'kons.hapus');
    await sup.click('[data-testid=invite-make]');
    await sup.waitFor('[data-testid=invite-code]');
    const code = await sup.text('[data-testid=invite-code]');

    const kons = await h.openApp('counselor');
    await kons.resize(1366, 768);
    await joinWithInvitation(kons, { serverUrl: h.serverUrl, invitation: code, passphrase: 'bulan purnama di atas bukit', inviter: 'sup.hapus' });
    await syncNow(sup, 'the supervisor\'s device to admit the counselor');
    await syncNow(kons, 'the counselor to receive the team key', 90_000);

    // The counselor's client asks, by letter, for all her data to be erased; her identity card
    // was checked.
    await addClient(kons, CODE);
    const received = new Date(Date.now() - 2 * 3600_000 + 7 * 3600_000); // WIB fields
    const pad = (n) => String(n).padStart(2, '0');
    await kons.click('[data-testid=request-new]');
    await kons.click('[data-testid=request-kind] option[value=erasure]');
    await kons.click('[data-testid=request-via] option[value=letter]');
    await kons.type('[data-testid=request-date]', `${pad(received.getUTCDate())}/${pad(received.getUTCMonth() + 1)}/${received.getUTCFullYear()}`);
    await kons.type('[data-testid=request-time]', `${pad(received.getUTCHours())}.${pad(received.getUTCMinutes())}`);
    await kons.click('[data-testid=request-identity] option[value=identity_card]');
    await kons.type('[data-testid=request-details]', 'Meminta semua datanya dihapus (data sintetis).');
    await kons.click('[data-testid=request-save]');
    await kons.waitFor('[data-testid=request-erase-supervisor]');
    await syncNow(kons, 'the client and her request to go out');
    assert.deepEqual(await clientCodes(kons), [CODE]);

    // The supervisor approves, after a question naming the client.
    await syncNow(sup, 'the supervisor to pull the client');
    await sup.click('[data-testid=nav-clients]');
    await sup.click(`[data-testid=client-row][data-code="${CODE}"]`);
    await sup.waitFor('[data-testid=request-erase]');
    await sup.click('[data-testid=request-erase]');
    await sup.waitForText('[data-testid=request-erase-question]', (t) => t.includes(CODE));
    await assertFitsBothLanguages(sup, 'the question before an erasure');
    await sup.click('[data-testid=request-erase-confirm]');
    // The notice to her names her: shown once, to send or print, then the profile closes.
    await sup.waitFor('[data-testid=erasure-notice-text]');
    const notice = await sup.execute("return document.querySelector('[data-testid=erasure-notice-text]').value");
    assert.match(notice, /Pemberitahuan Penghapusan Data Pribadi/);
    assert.match(notice, /Kepada Yth\.: Klien Sintetis/);
    assert.match(notice, /hanya kode HP-HAPUS/);
    await assertFitsBothLanguages(sup, 'the notice after an erasure');
    await sup.click('[data-testid=erasure-notice-close]');
    await sup.waitFor('[data-testid=client-count]');
    assert.deepEqual(await clientCodes(sup), [], 'gone from the supervisor\'s app at once');

    await syncNow(sup, 'the erasure and the supervisor\'s confirmation to go out');
    assert.equal(await erasureProgress(sup), '1 dari 2 perangkat sudah mengonfirmasi');
    assert.deepEqual(
      await sup.attributes(`[data-testid=erasure-item][data-code="${CODE}"] [data-testid=erasure-device]`, 'data-state'),
      ['waiting', 'confirmed'],
      'the counselor\'s device has not confirmed yet',
    );
    await assertFitsBothLanguages(sup, 'Settings with the register of erasures');

    // The counselor's app loses her at its next sync, and confirms.
    await syncNow(kons, 'the counselor to receive the erasure');
    let codes = [];
    await until(async () => (codes = await clientCodes(kons)).length === 0, 'the client to leave the counselor\'s app', 10_000).catch(() => {});
    assert.deepEqual(codes, [], 'gone from the counselor\'s app after its sync');
    await syncNow(kons, 'the counselor\'s confirmation to go out');
    await syncNow(sup, 'the supervisor to receive it');
    assert.equal(await erasureProgress(sup), '2 dari 2 perangkat sudah mengonfirmasi');
    assert.equal(await erasureProgress(kons), '2 dari 2 perangkat sudah mengonfirmasi');
  });
});
