// Supervision with two app instances (separate data directories) and one server: a counselor
// finalises a note about a client whose SRQ-20 raised a red flag; after sync the supervisor's
// queue shows it first; she returns it with a comment; after sync the counselor sees the
// comment (a badge on Home, no client name), answers with an addendum; the supervisor
// approves; both laptops show the same history.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogueText, maybeSaveDocScreenshot, withHarness } from './harness.mjs';
import { addClient, assertFitsBothLanguages, joinFromFirstRun, joinWithInvitation, syncNow, typeSafetyNumber, until } from './flows.mjs';

const COMMENT = 'Mohon tambahkan rencana keselamatan.';
const ADDENDUM = 'Rencana keselamatan disusun bersama klien dan keluarga.';

async function finaliseNote(app, narrative) {
  await app.click('[data-testid=note-new]');
  await app.type('[data-testid=note-narrative]', narrative);
  await app.waitForText('[data-testid=note-save-status]', (t) => t.length > 0 && !t.includes('…'));
  await app.click('[data-testid=note-finalise]');
  await app.click('[data-testid=note-finalise-confirm]');
  await app.waitFor('[data-testid=note-readonly]');
  await app.click('[data-testid=note-close]');
}

async function openQueue(app) {
  await app.click('[data-testid=nav-review]');
  await app.click('[data-testid=review-tab-queue]');
}

/** The review history as shown: [action, comment] per entry. */
async function history(app) {
  await app.waitFor('[data-testid=review-history]');
  return app.attributes('[data-testid=review-entry]', 'data-action');
}

test('a returned red-flag note travels supervisor -> counselor -> supervisor, same history on both', async () => {
  await withHarness('supervision', async (h) => {
    h.admin('init-org', 'Organisasi Uji Supervisi');
    h.admin('create-team', 'Tim Supervisi');
    h.admin('create-team', 'Tim Lain');
    const invite = (team, role) => h.admin('invite', '--team', team, '--role', role).split('\n')[0].trim();
    const supInvite = invite('Tim Supervisi', 'supervisor');
    const otherInvite = invite('Tim Lain', 'supervisor');

    const sup = await h.openApp('supervisor');
    await sup.resize(1366, 768);
    await joinFromFirstRun(sup, { serverUrl: h.serverUrl, username: 'sup.ani', invitation: supInvite, passphrase: 'teh manis di sore hari' });
    // The supervisor's device makes the team, then invites the counselor from her app: the code
    // (its secret never reaches the server) goes to the counselor by hand or WhatsApp.
    await syncNow(sup, 'the supervisor to make the team key');
    // The newcomers' links are 2G (40/20 kbit/s, 800 ms round trips): the counselor's app and the
    // outreach laptop reach the server through the fault proxy until both are admitted.
    const twoG = await h.startProxy('2g');
    const invited = Date.now();
    await sup.waitFor('[data-testid=invite-member]');
    await sup.type('[data-testid=invite-username]', 'kons.budi');
    await sup.click('[data-testid=invite-make]');
    await sup.waitFor('[data-testid=invite-whatsapp]');
    const code = await sup.text('[data-testid=invite-code]');
    assert.match(code, /^[0-9A-Z]{5}(-[0-9A-Z]{5}){4}-[0-9A-Z]$/, `an invitation code: ${code}`);
    const counselor = await h.openApp('counselor', { serverUrl: twoG });
    await counselor.resize(1366, 768);
    await joinWithInvitation(counselor, { serverUrl: twoG, invitation: code, passphrase: 'hujan turun di pagi hari', inviter: 'sup.ani' });
    // Until the supervisor's device syncs, she waits, with nothing to read.
    await counselor.click('[data-testid=nav-about]');
    await counselor.waitFor('[data-testid=sync-now]');
    await until(
      async () => {
        if (await counselor.enabled('[data-testid=sync-now]')) await counselor.click('[data-testid=sync-now]');
        await until(() => counselor.enabled('[data-testid=sync-now]'), 'the round to end', 45_000);
        return (await counselor.texts('[data-testid=admission-waiting]')).length > 0;
      },
      'the invited counselor to see that she waits',
      90_000,
    );
    await assertFitsBothLanguages(counselor, 'Settings, invited and waiting');
    // The supervisor types nothing: her device's next sync admits the counselor by her proof.
    await syncNow(sup, 'the supervisor\'s device to admit the counselor by her invitation');
    await syncNow(counselor, 'the counselor to receive the team key', 90_000);
    assert.equal((await counselor.texts('[data-testid=admission-waiting]')).length, 0, 'admitted: she no longer waits');
    const tookInvited = Date.now() - invited;
    console.log(`admission by an invitation made in the app, over 2G: ${tookInvited} ms (limit 120000)`);
    assert.ok(tookInvited < 120_000, `the admission by invitation took ${tookInvited} ms`);
    // An outreach worker's laptop with the CLI only: it joins, waits, prints its safety number,
    // and the supervisor types it in her app; the whole admission well under two minutes.
    const started = Date.now();
    const cliPass = 'ombak pantai di pagi hari';
    h.cli('pendamping', cliPass, 'join', '--server', twoG, '--username', 'pendamping.cli',
      '--invitation', invite('Tim Supervisi', 'outreach'), '--device-name', 'laptop lapangan', '--insecure-test-kdf');
    assert.match(h.cli('pendamping', cliPass, 'sync'), /Waiting for a supervisor to admit this device/);
    const line = h.cli('pendamping', cliPass, 'team', 'safety-number').split('\n').find((l) => l.startsWith('sup.ani'));
    const cliNumber = line?.split(': ')[1]?.trim() ?? '';
    assert.match(cliNumber, /^\d{4}( \d{4}){5}$/, `the CLI prints the number: ${line}`);
    await typeSafetyNumber(sup, 'pendamping.cli', cliNumber);
    assert.doesNotMatch(h.cli('pendamping', cliPass, 'sync'), /Waiting for a supervisor/, 'the CLI laptop holds the team key');
    const took = Date.now() - started;
    console.log(`admission of a CLI device by safety number, over 2G: ${took} ms (limit 120000)`);
    assert.ok(took < 120_000, `the CLI admission took ${took} ms`);
    // Both admissions done over 2G; the rest of the scenario runs on a good link.
    await h.setProxyProfile('none');

    // Her Settings now lists the signed team, with a decision (remove) beside each member.
    assert.deepEqual((await sup.attributes('[data-testid=team-member]', 'data-username')).sort(), ['kons.budi', 'pendamping.cli', 'sup.ani']);
    await assertFitsBothLanguages(sup, 'Settings');
    assert.equal((await counselor.texts('[data-testid=nav-review]')).length, 0, 'a counselor has no review queue');

    // An ordinary note first, then a client with a red flag.
    await addClient(counselor, 'K-0101');
    await finaliseNote(counselor, 'Sesi rutin; klien merasa lebih tenang.');
    await addClient(counselor, 'K-0102');
    await counselor.click('[data-testid=screening-new]');
    await counselor.waitFor('[data-testid="answer-srq20.01-0"]');
    for (let i = 1; i <= 20; i++) {
      await counselor.click(`[data-testid="answer-srq20.${String(i).padStart(2, '0')}-${i === 17 ? 1 : 0}"]`);
    }
    await counselor.click('[data-testid=screening-save]');
    await counselor.waitFor('[data-testid=screening-red-flag]');
    await finaliseNote(counselor, 'Klien menyebut pikiran untuk mengakhiri hidup.');
    await syncNow(counselor, 'the notes to reach the server');

    // The supervisor's queue: the red flag first although it is newer.
    await syncNow(sup, 'the notes to reach the supervisor');
    // Her Home leads with the team's red flags and opens the queue.
    await sup.click('[data-testid=nav-today]');
    await sup.waitForText('[data-testid=today-supervision-red-flags]', (t) => t.startsWith('1 '));
    // The rest of her Home is her own caseload (the team's clients are behind the card).
    assert.equal((await sup.texts('[data-testid=today-red-flag]')).length, 0, 'no team client in her own lists');
    await sup.click('[data-testid=today-open-review]');
    await until(async () => (await sup.texts('[data-testid=queue-item]')).length === 2, 'two notes in the queue');
    const [first, second] = await sup.attributes('[data-testid=queue-item]', 'data-urgency');
    assert.deepEqual([first, second], ['redFlag', 'normal'], 'the red flag leads the queue');
    const codes = await sup.texts('[data-testid=queue-open]');
    assert.deepEqual(codes, ['K-0102', 'K-0101']);
    await maybeSaveDocScreenshot(sup, 'screenshots/review-queue.png');
    await assertFitsBothLanguages(sup, 'review queue');

    // Open it: the client's context is beside the note; return it with a comment.
    await sup.click('[data-testid=queue-open]');
    await sup.waitFor('[data-testid=review-context-screening]');
    assert.match(await sup.text('[data-testid=review-context]'), new RegExp(catalogueText('id', 'profile.redFlag')));
    await sup.type('[data-testid=review-comment-text]', COMMENT);
    await maybeSaveDocScreenshot(sup, 'screenshots/review-note.png');
    await assertFitsBothLanguages(sup, 'note under review');
    await sup.click('[data-testid=review-return]');
    await sup.waitForText('[data-testid=review-state]', (t) => t === catalogueText('id', 'review.state.returned'));
    await syncNow(sup, 'the return to reach the server');

    // The counselor: a badge on Home (a count, never a name), the note with the comment.
    await syncNow(counselor, 'the return to reach the counselor');
    await counselor.waitForText('[data-testid=nav-today-badge]', (t) => t.startsWith('1'), { timeoutMs: 20_000 });
    const badge = await counselor.text('[data-testid=nav-today-badge]');
    assert.doesNotMatch(badge, /Klien|K-01/, 'the badge carries no client data');
    await counselor.click('[data-testid=nav-today]');
    await counselor.waitFor('[data-testid=today-review][data-state=returned]');
    await maybeSaveDocScreenshot(counselor, 'screenshots/home-review-returned.png');
    await counselor.click('[data-testid=today-review-open]');
    await counselor.waitFor('[data-testid=note-returned]');
    await counselor.waitForText('[data-testid=review-comment]', (t) => t === COMMENT);
    await assertFitsBothLanguages(counselor, 'returned note');
    await counselor.type('[data-testid=addendum-text]', ADDENDUM);
    await counselor.click('[data-testid=addendum-add]');
    await counselor.waitForText('[data-testid=review-state]', (t) => t === catalogueText('id', 'review.state.waiting'));
    await syncNow(counselor, 'the addendum to reach the server');

    // Back in the supervisor's queue, still first; she approves.
    await syncNow(sup, 'the addendum to reach the supervisor');
    await openQueue(sup);
    await until(async () => (await sup.texts('[data-testid=queue-open]'))[0] === 'K-0102', 'the answered note back at the top');
    await sup.click('[data-testid=queue-open]');
    await sup.waitForText('[data-testid=review-addendum]', (t) => t === ADDENDUM);
    await sup.click('[data-testid=review-approve]');
    await sup.waitForText('[data-testid=review-state]', (t) => t === catalogueText('id', 'review.state.approved'));
    const supHistory = await history(sup);
    const supComments = await sup.texts('[data-testid=review-comment]');
    await syncNow(sup, 'the approval to reach the server');

    await syncNow(counselor, 'the approval to reach the counselor');
    await counselor.click('[data-testid=nav-today]');
    await counselor.waitFor('[data-testid=today-review][data-state=approved]');
    await counselor.click('[data-testid=today-review-open]');
    await counselor.waitForText('[data-testid=review-state]', (t) => t === catalogueText('id', 'review.state.approved'));
    assert.deepEqual(supHistory, ['return', 'approve']);
    assert.deepEqual(await history(counselor), supHistory, 'both laptops show the same sequence');
    assert.deepEqual(await counselor.texts('[data-testid=review-comment]'), supComments);

    // The dashboard, offline from local data: one note waiting no more, a caseload of two.
    await sup.click('[data-testid=nav-review]');
    await sup.click('[data-testid=review-tab-dashboard]');
    await sup.waitFor('[data-testid=team-dashboard]');
    assert.match(await sup.text('[data-testid=dash-waiting]'), /^1\b/, 'the ordinary note still waits');
    await sup.click('[data-testid=dash-caseload]');
    await until(async () => (await sup.texts('[data-testid=dash-client]')).length === 2, 'the counselor caseload behind the bar');
    // This week's bar: two sessions, and the two clients behind it.
    const weekCounts = await sup.texts('[data-testid=dash-week]');
    assert.equal(weekCounts.length, 12, 'twelve weeks');
    assert.match(weekCounts[11], /^2/, `this week's sessions: ${weekCounts}`);
    await sup.execute("document.querySelectorAll('[data-testid=dash-week]')[11].click()");
    await until(async () => (await sup.texts('[data-testid=dash-client]')).sort().join() === 'K-0101,K-0102', "this week's clients behind the bar");
    await maybeSaveDocScreenshot(sup, 'screenshots/team-dashboard.png');
    await assertFitsBothLanguages(sup, 'team dashboard');

    // A supervisor of another team sees none of it.
    await h.closeApp(counselor);
    const other = await h.openApp('other-team');
    await joinFromFirstRun(other, { serverUrl: h.serverUrl, username: 'sup.lain', invitation: otherInvite, passphrase: 'angin laut di malam hari' });
    await syncNow(other, 'the other team to sync');
    await openQueue(other);
    await other.waitFor('[data-testid=queue-empty]');
    // Her own client is listed, and only it: none of the first team's.
    await addClient(other, 'L-0001');
    await other.click('[data-testid=nav-clients]');
    await other.waitForText('[data-testid=client-count]', (t) => t === catalogueText('id', 'clients.count').replace('{count}', '1'));
    assert.deepEqual(await other.attributes('[data-testid=client-row]', 'data-code'), ['L-0001'], 'no client of the other team');
  });
});
