// Supervision with two app instances (separate data directories) and one server: a counselor
// finalises a note about a client whose SRQ-20 raised a red flag; after sync the supervisor's
// queue shows it first; she returns it with a comment; after sync the counselor sees the
// comment (a badge on Home, no client name), answers with an addendum; the supervisor
// approves; both laptops show the same history. Before that, the counselor (a hotline volunteer
// too) logs an anonymous WhatsApp contact with the keyboard alone, the same caller's second contact
// shows the first, she makes a client of the caller, and the supervisor sees the red-flagged contact.
// The red-flag protocol (issue 22): a PHQ-9 with item 9 above zero opens a risk episode, the
// note cannot be finalised with its risk not assessed, the supervisor's app shows the episode
// first and she acknowledges it, the counselor sees that, and the SMTP sink the server alerts
// through received one message with no client data in it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO, catalogueText, maybeSaveDocScreenshot, startSmtpSink, withHarness } from './harness.mjs';
import { Keys } from './webdriver.mjs';
import { addClient, assertFitsBothLanguages, joinFromFirstRun, joinWithInvitation, syncNow, typeSafetyNumber, until } from './flows.mjs';

const COMMENT = 'Mohon tambahkan rencana keselamatan.';
const ADDENDUM = 'Rencana keselamatan disusun bersama klien dan keluarga.';

async function finaliseNote(app, narrative) {
  await app.click('[data-testid=note-new]');
  await app.type('[data-testid=note-narrative]', narrative);
  await app.waitForText('[data-testid=note-save-status]', (t) => t.length > 0 && !t.includes('…'));
  await app.clickUntil('[data-testid=note-finalise]', '[data-testid=note-finalise-confirm]');
  await app.click('[data-testid=note-finalise-confirm]');
  await app.waitFor('[data-testid=note-readonly]');
  await app.click('[data-testid=note-close]');
}

/** Finalising is refused while the client's episode is open and the risk not assessed; assessed, it goes. */
async function finaliseNoteAfterAssessingRisk(app, narrative) {
  await app.click('[data-testid=note-new]');
  await app.type('[data-testid=note-narrative]', narrative);
  await app.waitForText('[data-testid=note-save-status]', (t) => t.length > 0 && !t.includes('…'));
  await app.clickUntil('[data-testid=note-finalise]', '[data-testid=note-finalise-confirm]');
  await app.click('[data-testid=note-finalise-confirm]');
  await app.waitFor('[data-testid=note-risk-error]');
  assert.equal((await app.texts('[data-testid=note-readonly]')).length, 0, 'not finalised with the risk not assessed');
  await app.click('[data-testid=note-risk] option[value=high]');
  await app.waitForText('[data-testid=note-save-status]', (t) => t.length > 0 && !t.includes('…'));
  await app.clickUntil('[data-testid=note-finalise]', '[data-testid=note-finalise-confirm]');
  await app.click('[data-testid=note-finalise-confirm]');
  await app.waitFor('[data-testid=note-readonly]');
  await app.click('[data-testid=note-close]');
}

const CALLER = '0812-7000-0042';

/** The whole text of the first element matching `css` (WebDriver's text leaves out clipped lines). */
const textContent = (app, css) => app.execute('return document.querySelector(arguments[0])?.textContent ?? ""', [css]);

/**
 * A whole anonymous WhatsApp contact from the keyboard, the 17 steps documented in
 * ui/src/contacts/ContactForm.svelte (typing a field counts as one entry).
 */
async function logAnonymousChatByKeyboard(app) {
  const key = (...keys) => app.chord(...keys);
  await key(Keys.CONTROL, 'k'); // 1 from any screen: the form, the timer running
  await app.waitFor('[data-testid=contact-timer]');
  await until(async () => (await app.execute('return document.activeElement?.dataset.testid')) === 'contact-channel-phone_call', 'the channel focused');
  await key(Keys.ARROW_RIGHT); // 2 WhatsApp
  await key(Keys.TAB); // 3
  await app.type('[data-testid=contact-number]', CALLER); // 4
  await key(Keys.TAB); // 5 the categories
  await key(Keys.SPACE); // 6 psychosocial distress
  await key(Keys.TAB); // 7 the self-harm question
  await key(Keys.ARROW_RIGHT); // 8 no
  await key(Keys.TAB); // 9 the risk
  await key(Keys.ARROW_RIGHT); // 10 low
  await key(Keys.TAB); // 11 the actions
  await key(Keys.SPACE); // 12 listened
  await key(Keys.TAB); // 13 the outcome
  await key(Keys.SPACE); // 14 resolved
  await key(Keys.TAB); // 15 the summary
  assert.equal(await app.execute('return document.activeElement?.dataset.testid'), 'contact-summary', 'fifteen steps reach the summary');
  await app.type('[data-testid=contact-summary]', 'Penelepon cemas menjelang ujian; merasa lebih tenang.'); // 16
  await key(Keys.CONTROL, Keys.ENTER); // 17 finished and saved
  await app.waitFor('[data-testid=contact-row]');
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
  // The server alerts the team's supervisors through this sink; 'Tim Supervisi', made first, is team 1.
  const sink = await startSmtpSink();
  const serverConfig = `[alerts]\nsmtp_host = "127.0.0.1"\nsmtp_port = ${sink.port}\nfrom = "teduh@contoh.test"\n\n[[alerts.recipients]]\nteam = 1\nemail = "piket@contoh.test"\n`;
  try {
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

    // The hotline: an anonymous WhatsApp chat logged with the keyboard alone, from Settings.
    await logAnonymousChatByKeyboard(counselor);
    await counselor.waitForText('[data-testid=contact-count]', (t) => t.startsWith('1 '));
    const row = await textContent(counselor, '[data-testid=contact-row]');
    assert.match(row, /WhatsApp/, row);
    assert.match(row, /Distres psikososial/, row);
    assert.match(row, /menjelang ujian/, row);
    assert.deepEqual(await counselor.attributes('[data-testid=contact-row]', 'data-red-flag'), ['false']);
    await assertFitsBothLanguages(counselor, 'contact list');
    // A call cut short by the lock: what she typed is written first; Ctrl+K on the lock screen
    // says the form opens after the unlock, and it does.
    await counselor.chord(Keys.CONTROL, 'k');
    await counselor.type('[data-testid=contact-summary]', 'Panggilan terputus sebelum selesai.');
    await counselor.chord(Keys.CONTROL, 'l');
    await counselor.waitFor('[data-testid=unlock-passphrase]');
    await counselor.chord(Keys.CONTROL, 'k');
    await counselor.waitFor('[data-testid=unlock-contact-pending]');
    await counselor.type('[data-testid=unlock-passphrase]', 'hujan turun di pagi hari');
    await counselor.click('[data-testid=unlock-button]');
    await counselor.waitFor('[data-testid=contact-timer]');
    await counselor.click('[data-testid=contact-close]');
    await counselor.waitForText('[data-testid=contact-count]', (t) => t.startsWith('2 '));
    assert.match(await textContent(counselor, '[data-testid=contact-row]'), /terputus sebelum selesai/, 'the cut call was saved');
    assert.equal((await counselor.texts('[data-testid=contact-row-ongoing]')).length, 1, 'and is shown unfinished');
    // The same caller again: her first contact shows beside the form; this time she answers yes
    // to the self-harm question, and becomes a client.
    await counselor.chord(Keys.CONTROL, 'k');
    await counselor.type('[data-testid=contact-number]', '+62 812 7000 0042');
    await counselor.waitForText('[data-testid=contact-previous-count]', (t) => t.startsWith('1 '), { timeoutMs: 20_000 });
    assert.match(await textContent(counselor, '[data-testid=contact-previous-item]'), /menjelang ujian/);
    await counselor.click('[data-testid=contact-self-harm-yes]');
    await counselor.waitFor('[data-testid=contact-red-flag]');
    await counselor.type('[data-testid=contact-summary]', 'Menelepon lagi; ada pikiran menyakiti diri.');
    await assertFitsBothLanguages(counselor, 'contact form');
    await maybeSaveDocScreenshot(counselor, 'screenshots/contact-form.png');
    await counselor.click('[data-testid=contact-convert]');
    await counselor.type('[data-testid=convert-code]', 'HL-0001');
    await counselor.type('[data-testid=convert-name]', 'Penelepon Sintetis');
    await counselor.type('[data-testid=convert-age]', '34');
    assert.equal((await counselor.texts('[data-testid=convert-contact]')).length, 2, 'both contacts of the caller are offered');
    await counselor.click('[data-testid=convert-save]');
    await until(async () => (await counselor.texts('[data-testid=client-contact]')).length === 2, 'both contacts in the new client\'s profile');
    await syncNow(counselor, 'the contacts to reach the server');
    await syncNow(sup, 'the contacts to reach the supervisor');
    await openQueue(sup);
    await until(async () => (await sup.texts('[data-testid=contact-queue-item]')).length === 1, 'the red-flagged contact in the supervisor\'s queue');
    assert.match(await textContent(sup, '[data-testid=contact-queue-item]'), /kons\.budi/);
    await sup.click('[data-testid=contact-seen]');
    await sup.waitFor('[data-testid=contact-queue-empty]');

    // An ordinary note first, then a client with a red flag.
    await addClient(counselor, 'K-0101');
    await finaliseNote(counselor, 'Sesi rutin; klien merasa lebih tenang.');
    await addClient(counselor, 'K-0102');
    await counselor.click('[data-testid=screening-new]');
    await counselor.click('[data-testid=screening-instrument] option[value=phq9]');
    await counselor.waitFor('[data-testid="answer-phq9.01-0"]');
    for (let i = 1; i <= 9; i++) {
      await counselor.click(`[data-testid="answer-phq9.0${i}-${i === 9 ? 1 : 0}"]`);
    }
    await counselor.click('[data-testid=screening-save]');
    await counselor.waitFor('[data-testid=screening-red-flag]');
    await counselor.click('[data-testid=screening-close]');
    // Item 9 above zero opened a risk episode on her profile.
    await counselor.waitFor('[data-testid=episode-panel][data-state=open]');
    assert.match(await textContent(counselor, '[data-testid=episode-trigger]'), /PHQ-9/);
    await counselor.waitFor('[data-testid=profile-red-flag]');
    await assertFitsBothLanguages(counselor, 'profile with an open risk episode');
    await counselor.execute("document.querySelector('[data-testid=episode-panel]').scrollIntoView()");
    await maybeSaveDocScreenshot(counselor, 'screenshots/risk-episode.png');
    await finaliseNoteAfterAssessingRisk(counselor, 'Klien menyebut pikiran untuk mengakhiri hidup.');
    await syncNow(counselor, 'the notes to reach the server');
    await until(async () => sink.messages.length > 0, 'the server\'s alert in the SMTP sink', 20_000);

    // The supervisor's queue: the red flag first although it is newer.
    await syncNow(sup, 'the notes to reach the supervisor');
    // Her Home leads with the team's red flags and opens the queue.
    await sup.click('[data-testid=nav-today]');
    await sup.waitForText('[data-testid=today-supervision-red-flags]', (t) => t.startsWith('1 '));
    // Her Home lists the two episodes waiting for her answer (no rota: every supervisor is asked).
    await until(async () => (await sup.texts('[data-testid=today-red-flag]')).length === 2, 'the two open episodes on her Home');
    assert.deepEqual(await sup.attributes('[data-testid=today-red-flag]', 'data-for-me'), ['true', 'true']);
    await sup.click('[data-testid=today-open-review]');
    // The queue opens with the episodes; she acknowledges K-0102's.
    await until(async () => (await sup.texts('[data-testid=review-episode]')).length === 2, 'the episodes heading the queue');
    const episodeRow = "[...document.querySelectorAll('[data-testid=review-episode]')].find((e) => e.textContent.includes('K-0102'))";
    await sup.execute(`${episodeRow}.querySelector('[data-testid=review-episode-ack]').click()`);
    await until(async () => (await sup.execute(`return ${episodeRow}?.dataset.forMe ?? 'gone'`)) !== 'true', 'the acknowledgement taken');
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
    // The counselor sees that the supervisor acknowledged the episode.
    await counselor.click('[data-testid=nav-clients]');
    await counselor.click('[data-testid=client-row][data-code=K-0102]');
    await counselor.waitForText('[data-testid=episode-acknowledged]', (t) => t.includes('sup.ani'));
    // One alert for the burst (the contact's episode and K-0102's), naming the team only.
    assert.equal(sink.messages.length, 1, `one alert: ${sink.messages.length}`);
    const alert = sink.messages[0];
    assert.match(alert, /Tim Supervisi/);
    for (const secret of ['K-0102', 'HL-0001', 'Penelepon Sintetis', 'PHQ', 'kons.budi', 'mengakhiri hidup']) {
      assert.ok(!alert.includes(secret), `${secret} in the alert: ${alert}`);
    }

    // The dashboard, offline from local data: one note waiting no more, a caseload of three (the
    // two clients with notes and the caller she made a client).
    await sup.click('[data-testid=nav-review]');
    await sup.click('[data-testid=review-tab-dashboard]');
    await sup.waitFor('[data-testid=team-dashboard]');
    assert.match(await sup.text('[data-testid=dash-waiting]'), /^1\b/, 'the ordinary note still waits');
    await sup.click('[data-testid=dash-caseload]');
    await until(
      async () => (await sup.texts('[data-testid=dash-client]')).sort().join() === 'HL-0001,K-0101,K-0102',
      'the counselor caseload behind the bar',
    );
    // This week's bar: two sessions, and the two clients behind it.
    const weekCounts = await sup.texts('[data-testid=dash-week]');
    assert.equal(weekCounts.length, 12, 'twelve weeks');
    assert.match(weekCounts[11], /^2/, `this week's sessions: ${weekCounts}`);
    await sup.execute("document.querySelectorAll('[data-testid=dash-week]')[11].click()");
    await until(async () => (await sup.texts('[data-testid=dash-client]')).sort().join() === 'K-0101,K-0102', "this week's clients behind the bar");
    // The hotline's figures beside it: today's three contacts, one of them about distress.
    const days = await sup.execute("return [...document.querySelectorAll('[data-testid=dash-contacts-day] .week-count')].map((e) => e.textContent.trim())");
    assert.equal(days.length, 7, `seven days: ${days}`);
    assert.equal(days[6], '3', `today's contacts: ${days}`);
    assert.match(await textContent(sup, '[data-testid=dash-contacts-category]'), /Distres psikososial\s*1/);
    await maybeSaveDocScreenshot(sup, 'screenshots/team-dashboard.png');
    await assertFitsBothLanguages(sup, 'team dashboard');

    // Twelve months at a glance, read without colour: this month's bars carry their figures.
    await sup.waitFor('[data-testid=team-trends]');
    const lastValue = (chart) => sup.execute(`return [...document.querySelectorAll('[data-testid=${chart}] [data-testid=bar]')].map((b) => b.dataset.value)`, []);
    const contactsByMonth = await lastValue('trend-contacts');
    assert.equal(contactsByMonth.length, 12, `twelve months: ${contactsByMonth}`);
    assert.equal(contactsByMonth[11], '3', `this month's contacts: ${contactsByMonth}`);
    assert.ok(Number((await lastValue('trend-sessions'))[11]) >= 2, 'this month\'s sessions');
    assert.match(await textContent(sup, '[data-testid=trend-contacts]'), /3/, 'the figure is printed by its bar');

    // The monthly report: the export folder set in Settings, the PDF made from the dashboard.
    const folder = path.join(path.dirname(sup.dataDir), 'ekspor laporan');
    await sup.click('[data-testid=nav-about]');
    await sup.waitFor('[data-testid=settings-export-folder]');
    await until(async () => (await sup.execute("return document.querySelector('[data-testid=settings-export-folder]').value", [])).length > 0, 'the folder in use to be shown');
    await sup.execute("const i = document.querySelector('[data-testid=settings-export-folder]'); i.value = ''; i.dispatchEvent(new Event('input'))", []);
    await sup.type('[data-testid=settings-export-folder]', folder);
    await sup.click('[data-testid=settings-save]');
    await sup.waitFor('[data-testid=settings-saved]');
    await sup.click('[data-testid=nav-review]');
    await sup.click('[data-testid=review-tab-dashboard]');
    await sup.waitFor('[data-testid=monthly-report]');
    // This month in the team's zone (WIB), as the counselor's sessions were today.
    const month = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 7);
    await sup.execute("const i = document.querySelector('[data-testid=report-month]'); i.value = arguments[0]; i.dispatchEvent(new Event('input'))", [month]);
    await sup.click('[data-testid=report-make]');
    await sup.waitFor('[data-testid=report-saved]', { timeoutMs: 30_000 });
    const pdf = path.join(folder, `laporan-bulanan-${month}.pdf`);
    const savedText = await textContent(sup, '[data-testid=report-saved]');
    assert.ok(savedText.includes(pdf), `the report is said to be in the export folder: ${savedText}`);
    assert.ok(fs.existsSync(pdf), `the report is in the export folder: ${pdf}`);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    for (const expected of ['Laporan Bulanan Layanan', 'Periode: ', 'Klien dilayani', 'Kontak hotline', 'Jam layanan per petugas', 'Dicetak oleh sup.ani']) {
      assert.ok(text.includes(expected), `the PDF says ${expected}:\n${text}`);
    }
    assert.ok(!text.includes('K-0101') && !text.includes('Penelepon Sintetis'), 'no client in the statistics');
    if (process.env.TEDUH_UPDATE_SCREENSHOTS === '1') {
      execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', pdf, path.join(REPO, 'docs', 'screenshots', 'report-monthly')]);
      console.log('screenshot written: docs/screenshots/report-monthly.png');
    }
    await sup.execute("document.querySelector('[data-testid=report-saved]').scrollIntoView({ block: 'end' })", []);
    await maybeSaveDocScreenshot(sup, 'screenshots/team-dashboard-report.png');
    await assertFitsBothLanguages(sup, 'team dashboard with the report');

    // A case file from the client's profile: RAHASIA on every page, who printed it.
    await sup.click('[data-testid=nav-clients]');
    await until(async () => (await sup.attributes('[data-testid=client-row]', 'data-code')).includes('K-0101'), 'the client row');
    await sup.click('[data-testid=client-row][data-code=K-0101]');
    await sup.click('[data-testid=case-file] summary');
    await sup.click('[data-testid=case-file-print]');
    await sup.waitFor('[data-testid=case-file-saved]', { timeoutMs: 30_000 });
    // "Tersimpan: <path>" (the folder's name has a space).
    const caseFile = (await textContent(sup, '[data-testid=case-file-saved]')).replace(/^[^:]*:\s*/, '').trim();
    assert.ok(caseFile.startsWith(folder) && fs.existsSync(caseFile), `the case file is in the export folder: ${caseFile}`);
    const casePages = execFileSync('pdftotext', ['-layout', caseFile, '-'], { encoding: 'utf8' }).split('\f').filter((p) => p.trim());
    assert.ok(casePages.length > 0 && casePages.every((p) => p.includes('RAHASIA') && p.includes('Dicetak oleh sup.ani')), 'marked and footed on every page');
    assert.match(casePages.join('\n'), /Berkas Kasus[\s\S]*Klien K-0101/);
    if (process.env.TEDUH_UPDATE_SCREENSHOTS === '1') {
      execFileSync('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', '1', '-singlefile', caseFile, path.join(REPO, 'docs', 'screenshots', 'report-case-file')]);
      console.log('screenshot written: docs/screenshots/report-case-file.png');
    }
    // "Siapa yang membuka data ini": the counselor who registered her, and this print.
    await sup.click('[data-testid=access-log-show]');
    await sup.waitFor('[data-testid=access-entry]');
    const opened = await sup.texts('[data-testid=access-entry]');
    assert.ok(opened.some((e) => e.includes('sup.ani mencetak')), `the print is in the trail: ${opened}`);
    assert.ok(opened.some((e) => e.includes('kons.budi membuka profil')), `the counselor's opening came with her sync: ${opened}`);
    await assertFitsBothLanguages(sup, 'client profile with the case file panel');

    // A breach (UU PDP Ps 46): the counselor registers her lost phone in Settings; after the
    // sync the supervisor's queue shows its 3x24 h clock, the register saves the letter to the
    // people concerned, and she records that it was given.
    const wib = (msAgo) => {
      const d = new Date(Date.now() - msAgo + 7 * 3600_000).toISOString();
      return { date: `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`, time: `${d.slice(11, 13)}.${d.slice(14, 16)}` };
    };
    const aware = wib(2 * 3600_000);
    await counselor.click('[data-testid=nav-about]');
    await counselor.click('[data-testid=breach-new]');
    await counselor.type('[data-testid=breach-aware-date]', aware.date);
    await counselor.type('[data-testid=breach-aware-time]', aware.time);
    await counselor.type('[data-testid=breach-what]', 'Ponsel kerja hilang di angkot (sintetis)');
    await counselor.click('[data-testid=breach-category-hotline_contacts]');
    await counselor.type('[data-testid=breach-clients]', 'K-0101');
    await counselor.type('[data-testid=breach-people]', '2');
    await counselor.click('[data-testid=breach-save]');
    await counselor.waitFor('[data-testid=breach-item]');
    assert.equal(await counselor.execute("return document.querySelector('[data-testid=breach-record-persons]') === null", []), true, 'a counselor records no notice');
    await assertFitsBothLanguages(counselor, 'settings with the breach register');
    await syncNow(counselor, 'the incident to reach the server');
    await syncNow(sup, 'the incident to reach the supervisor');
    await openQueue(sup);
    await sup.waitFor('[data-testid=open-breach]');
    assert.match(await textContent(sup, '[data-testid=open-breach-left]'), /^sisa 2 hari (21|22) jam/, 'about 70 of its 72 hours left');
    await sup.click('[data-testid=open-breach-open]');
    await sup.waitFor('[data-testid=breach-register]');
    await sup.click('[data-testid=breach-letter-persons]');
    await sup.waitFor('[data-testid=breach-letter-saved]', { timeoutMs: 30_000 });
    const letter = (await textContent(sup, '[data-testid=breach-letter-saved]')).match(/: (\/.*\.pdf)\./)?.[1] ?? '';
    assert.ok(letter.startsWith(folder) && fs.existsSync(letter), `the letter is in the export folder: ${letter}`);
    const letterText = execFileSync('pdftotext', ['-layout', letter, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const expected of ['Pemberitahuan Kegagalan Pelindungan Data Pribadi', 'Pasal 46', 'Ponsel kerja hilang di angkot']) {
      assert.ok(letterText.includes(expected), `the letter says ${expected}:\n${letterText}`);
    }
    assert.ok(!letterText.includes('K-0101'), 'the letter names no client');
    const given = wib(10 * 60_000);
    await sup.click('[data-testid=breach-record-persons]');
    await sup.type('[data-testid=breach-notice-date]', given.date);
    await sup.type('[data-testid=breach-notice-time]', given.time);
    await sup.click('[data-testid=breach-notice-save]');
    await sup.waitFor('[data-testid=breach-notified-persons]');
    assert.match(await textContent(sup, '[data-testid=breach-notified-persons]'), /dicatat oleh sup\.ani/);
    await assertFitsBothLanguages(sup, 'breach register');

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
  }, { serverConfig });
  } finally {
    sink.close();
  }
});
