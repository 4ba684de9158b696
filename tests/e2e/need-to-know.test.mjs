// Need-to-know access (issue 23) with two app instances and a CLI laptop on one server: the
// supervisor invites a junior volunteer from her app (the invitation names the level), admits a
// senior volunteer's CLI laptop by safety number and sets her level in the team list; she
// registers a child's case and assigns it to the senior, who reads it from the CLI; the
// junior's app shows neither that client nor its note, and offers no "new client". An adult's
// case assigned to the junior is then transferred to the senior with a reason: the history
// keeps both changes on every device, and the junior's app drops the case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withHarness } from './harness.mjs';
import { assertFitsBothLanguages, joinFromFirstRun, joinWithInvitation, syncNow, typeSafetyNumber, until } from './flows.mjs';

const CHILD_NOTE = 'QZNK-E2E-CATATAN-ANAK-7101';
const REASON = 'Pindah wilayah dampingan';

/** The whole text of the page. */
const pageText = (app) => app.execute('return document.body.textContent ?? ""');

/** The member number of the option in `select` whose label starts with `username`. */
async function optionFor(app, select, username) {
  const options = await app.execute(
    'return [...document.querySelectorAll(arguments[0] + " option")].map((o) => [o.value, o.textContent])',
    [select],
  );
  const found = options.find(([, label]) => label.startsWith(username));
  assert.ok(found, `${username} among ${JSON.stringify(options)}`);
  return found[0];
}

async function openClient(app, code) {
  await app.click('[data-testid=nav-clients]');
  await app.click(`[data-testid=client-row][data-code="${code}"]`);
  await app.waitForText('[data-testid=profile-code]', (t) => t === code);
  await app.waitFor('[data-testid=assignment-panel]');
}

async function clientCodes(app) {
  await app.click('[data-testid=nav-clients]');
  await app.waitFor('[data-testid=client-count]');
  return app.attributes('[data-testid=client-row]', 'data-code');
}

// The list is read again until it shows `expected` (the app refreshes it after the round that
// brought the change; reading once right after the round raced that refresh), then asserted.
async function clientCodesBecome(app, expected, what) {
  let codes = [];
  await until(async () => {
    codes = await clientCodes(app);
    return JSON.stringify(codes) === JSON.stringify(expected);
  }, what, 10_000).catch(() => {});
  assert.deepEqual(codes, expected, what);
}

test('a child\'s case goes to a senior only, a junior sees nothing of it, a transfer keeps the history', async () => {
  await withHarness('need-to-know', async (h) => {
    h.admin('init-org', 'Organisasi Uji Akses');
    h.admin('create-team', 'Tim Akses');
    const invite = (role) => h.admin('invite', '--team', 'Tim Akses', '--role', role).split('\n')[0].trim();

    const sup = await h.openApp('supervisor');
    await sup.resize(1366, 768);
    await joinFromFirstRun(sup, { serverUrl: h.serverUrl, username: 'sup.akses', invitation: invite('supervisor'), passphrase: 'pohon kelapa di tepi pantai' });
    await syncNow(sup, 'the supervisor to make the team key');

    // The junior: invited from the supervisor's app, the invitation naming her level.
    await sup.waitFor('[data-testid=invite-member]');
    await sup.type('[data-testid=invite-username]', 'rel.junior');
    await sup.click('[data-testid=invite-level] option[value="1"]');
    await sup.click('[data-testid=invite-make]');
    await sup.waitFor('[data-testid=invite-code]');
    const code = await sup.text('[data-testid=invite-code]');
    const junior = await h.openApp('junior');
    await junior.resize(1366, 768);
    await joinWithInvitation(junior, { serverUrl: h.serverUrl, invitation: code, passphrase: 'bulan purnama di atas bukit', inviter: 'sup.akses' });
    await syncNow(sup, 'the supervisor\'s device to admit the junior by her invitation');
    await syncNow(junior, 'the junior to receive the team key', 90_000);

    // The senior: a CLI laptop, admitted by its safety number; her level set in the team list.
    const cliPass = 'perahu nelayan di pagi hari';
    h.cli('senior', cliPass, 'join', '--server', h.serverUrl, '--username', 'rel.senior',
      '--invitation', invite('counselor'), '--device-name', 'laptop senior', '--insecure-test-kdf');
    h.cli('senior', cliPass, 'sync');
    const line = h.cli('senior', cliPass, 'team', 'safety-number').split('\n').find((l) => l.startsWith('sup.akses'));
    await typeSafetyNumber(sup, 'rel.senior', line?.split(': ')[1]?.trim() ?? '');
    h.cli('senior', cliPass, 'sync');
    const seniorRow = '[data-testid=team-member][data-username="rel.senior"]';
    await sup.waitFor(`${seniorRow} [data-testid=team-level-select]`);
    await sup.click(`${seniorRow} [data-testid=team-level-select] option[value=senior]`);
    await sup.waitFor("[data-testid=team-level-saved]");
    await syncNow(sup, 'the roster with the levels');
    await until(
      async () => (await sup.attributes('[data-testid=team-member][data-username="rel.junior"] [data-testid=team-level-select]', 'data-level')).join() === 'junior',
      'the roster to list the junior level the invitation named',
    );
    h.cli('senior', cliPass, 'sync');
    const members = h.cli('senior', cliPass, 'team', 'members');
    assert.match(members, /rel\.senior\tcounselor senior/, members);

    // A child's case, registered by the supervisor and assigned to the senior.
    await sup.click('[data-testid=nav-clients]');
    await sup.click('[data-testid=client-new]');
    await sup.type('[data-testid=client-code]', 'AK-ANAK');
    await sup.type('[data-testid=client-name]', 'Anak Sintetis');
    await sup.type('[data-testid=client-estimated-age]', '10');
    await sup.waitFor('[data-testid=guardian-name]');
    await sup.type('[data-testid=guardian-name]', 'Wali Sintetis');
    await sup.type('[data-testid=guardian-relation]', 'ibu');
    await sup.click('[data-testid=client-save]');
    await sup.waitForText('[data-testid=profile-code]', (t) => t === 'AK-ANAK');
    await sup.click('[data-testid=note-new]');
    await sup.type('[data-testid=note-narrative]', CHILD_NOTE);
    await sup.waitForText('[data-testid=note-save-status]', (t) => t.length > 0 && !t.includes('…'));
    await sup.click('[data-testid=note-close]');
    await sup.waitFor('[data-testid=assignment-panel]');
    const senior = await optionFor(sup, '[data-testid=assignment-add-select]', 'rel.senior');
    await sup.click(`[data-testid=assignment-add-select] option[value="${senior}"]`);
    await sup.click('[data-testid=assignment-add]');
    await sup.waitFor(`[data-testid=assignment-worker][data-username="rel.senior"]`);
    await assertFitsBothLanguages(sup, 'a child\'s profile with its case assignment');
    await syncNow(sup, 'the assignment and the key wraps to go out');

    const listed = h.cli('senior', cliPass, 'sync') && h.cli('senior', cliPass, 'client', 'list');
    assert.match(listed, /AK-ANAK/, `the senior reads the child's case: ${listed}`);
    assert.match(h.cli('senior', cliPass, 'client', 'workers', 'AK-ANAK'), /rel\.senior/);

    // The junior's app: nothing of the child's case, and no "new client" for her.
    await syncNow(junior, 'the junior to pull the team\'s records');
    assert.deepEqual(await clientCodes(junior), [], 'the junior lists no client');
    assert.equal((await junior.texts('[data-testid=client-new]')).length, 0, 'a junior registers no client');
    await junior.waitFor('[data-testid=client-new-not-permitted]');
    for (const screen of ['nav-clients', 'nav-today']) {
      await junior.click(`[data-testid=${screen}]`);
      const text = await pageText(junior);
      assert.ok(!text.includes('AK-ANAK') && !text.includes(CHILD_NOTE), `nothing of the child's case on ${screen}`);
    }

    // An adult's case: the junior works on it, then it is transferred to the senior.
    await sup.click('[data-testid=nav-clients]');
    await sup.click('[data-testid=client-new]');
    await sup.type('[data-testid=client-code]', 'AK-DEWASA');
    await sup.type('[data-testid=client-name]', 'Dewasa Sintetis');
    await sup.type('[data-testid=client-estimated-age]', '31');
    await sup.click('[data-testid=client-save]');
    await sup.waitForText('[data-testid=profile-code]', (t) => t === 'AK-DEWASA');
    await sup.waitFor('[data-testid=assignment-panel]');
    const juniorNumber = await optionFor(sup, '[data-testid=assignment-add-select]', 'rel.junior');
    await sup.click(`[data-testid=assignment-add-select] option[value="${juniorNumber}"]`);
    await sup.click('[data-testid=assignment-add]');
    await sup.waitFor(`[data-testid=assignment-worker][data-username="rel.junior"]`);
    await syncNow(sup, 'the junior\'s assignment');
    await syncNow(junior, 'the junior to receive the adult\'s case');
    await clientCodesBecome(junior, ['AK-DEWASA'], 'the junior reads the case she works on');

    await openClient(sup, 'AK-DEWASA');
    await sup.click('[data-testid=assignment-transfer]');
    await sup.click(`[data-testid=assignment-transfer-worker][value="${senior}"]`);
    await sup.type('[data-testid=assignment-reason]', REASON);
    await sup.click('[data-testid=assignment-confirm]');
    await sup.waitFor('[data-testid=assignment-done]');
    const history = await sup.texts('[data-testid=assignment-history-row]');
    assert.equal(history.length, 2, `both changes in the history: ${history}`);
    assert.ok(history[0].includes(REASON), `the transfer, newest first, with its reason: ${history}`);
    await syncNow(sup, 'the transfer and the new key');
    await syncNow(junior, 'the junior to learn of the transfer');
    await clientCodesBecome(junior, [], 'the junior\'s app drops the case');
    h.cli('senior', cliPass, 'sync');
    const workers = h.cli('senior', cliPass, 'client', 'workers', 'AK-DEWASA');
    assert.match(workers, /^AK-DEWASA: .*rel\.senior/m, workers);
    assert.match(workers, new RegExp(`\\(${REASON}\\)`), `the history travels with the case: ${workers}`);
    assert.equal(workers.trim().split('\n').length, 3, `two changes under the current workers: ${workers}`);
  });
});
