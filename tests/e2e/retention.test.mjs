// Retention (issue 26, UU PDP Ps 43-44) with the supervisor's app and a volunteer's CLI laptop
// on one server: the volunteer logged a hotline contact more than two years ago (the default
// period for contacts) and one this week. The supervisor's Home says something outlived its
// retention; Settings lists the old contact; she destroys it after a question; it leaves the
// volunteer's laptop at its next sync, the recent one stays, and the register of erasures counts
// both devices. All names and contacts are made up.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withHarness } from './harness.mjs';
import { assertFitsBothLanguages, joinFromFirstRun, syncNow, typeSafetyNumber, until } from './flows.mjs';

test('a contact past its retention is destroyed from Settings and leaves the other device', async () => {
  await withHarness('retention', async (h) => {
    h.admin('init-org', 'Organisasi Uji Retensi');
    h.admin('create-team', 'Tim Retensi');
    const invite = (role) => h.admin('invite', '--team', 'Tim Retensi', '--role', role).split('\n')[0].trim();

    const sup = await h.openApp('supervisor');
    await sup.resize(1366, 768);
    await joinFromFirstRun(sup, { serverUrl: h.serverUrl, username: 'sup.retensi', invitation: invite('supervisor'), passphrase: 'pohon kelapa di tepi pantai' });
    await syncNow(sup, 'the supervisor to make the team key');

    // The volunteer's laptop, admitted by its safety number.
    const pass = 'perahu nelayan di pagi hari';
    const cli = (...args) => h.cli('volunteer', pass, ...args);
    cli('join', '--server', h.serverUrl, '--username', 'rel.retensi', '--invitation', invite('counselor'),
      '--device-name', 'laptop relawan', '--insecure-test-kdf');
    cli('sync');
    const line = cli('team', 'safety-number').split('\n').find((l) => l.startsWith('sup.retensi'));
    await typeSafetyNumber(sup, 'rel.retensi', line?.split(': ')[1]?.trim() ?? '');
    cli('sync');
    const daysAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString();
    cli('contact', 'add', '--channel', 'phone_call', '--at', daysAgo(800), '--minutes', '6', '--summary', 'kontak lama sintetis');
    cli('contact', 'add', '--channel', 'whats_app', '--at', daysAgo(3), '--minutes', '9', '--summary', 'kontak baru sintetis');
    cli('sync');
    assert.match(cli('contact', 'list'), /kontak lama sintetis/);

    // Her Home says one item waits for her; Settings lists it as the old contact.
    await syncNow(sup, 'the supervisor to receive the contacts');
    await sup.click('[data-testid=nav-today]');
    await sup.waitForText('[data-testid=today-retention]', (t) => t.includes('1 data sudah lewat masa retensi'));
    await sup.click('[data-testid=today-retention-open]');
    await sup.waitFor('[data-testid=retention-group][data-class=contacts]');
    const listed = await sup.attributes('[data-testid=retention-item]', 'data-code');
    assert.equal(listed.length, 1, `only the old contact: ${listed}`);
    await assertFitsBothLanguages(sup, 'Settings with the retention panel');

    await sup.click('[data-testid=retention-destroy]');
    await sup.waitForText('[data-testid=retention-question]', (t) => t.includes('Musnahkan 1 data'));
    await assertFitsBothLanguages(sup, 'the question before a destruction');
    await sup.click('[data-testid=retention-confirm]');
    await sup.waitFor('[data-testid=retention-none]');
    await sup.waitForText('[data-testid=erasure-cause]', (t) => t.includes('masa retensi berakhir'));

    // The laptop loses it at its next sync and confirms; the recent contact stays.
    await syncNow(sup, 'the erasure to go out');
    cli('sync');
    cli('sync');
    const contacts = cli('contact', 'list');
    assert.doesNotMatch(contacts, /kontak lama sintetis/, 'gone from the laptop');
    assert.match(contacts, /kontak baru sintetis/, 'the recent contact stays');
    await syncNow(sup, 'the laptop\'s confirmation');
    await sup.click('[data-testid=nav-today]');
    await sup.click('[data-testid=nav-about]');
    await until(
      async () => (await sup.text('[data-testid=erasure-progress]')) === '2 dari 2 perangkat sudah mengonfirmasi',
      'both devices to confirm',
      10_000,
    );
  });
});
