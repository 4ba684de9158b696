// The counselor's day, on the real app: first-run set-up, a client, a note that survives a lock,
// finalisation (edits refused, addendum accepted), the wrong-passphrase message, and an SRQ-20 red
// flag that shows on the profile and on Home.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { catalogueText, maybeSaveDocScreenshot, withHarness } from './harness.mjs';
import { assertFitsBothLanguages, until } from './flows.mjs';
import { Keys } from './webdriver.mjs';

const PASSPHRASE = 'kopi pagi di teras rumah';
// The bracketed passage is about someone else: the access export must redact it (UU PDP Ps 33).
const THIRD_PARTY = 'Adiknya, Sari Sintetis, juga sulit tidur.';
const NARRATIVE = `Sesi pertama. Klien (sintetis) bercerita tentang tidur yang terganggu. [[${THIRD_PARTY}]]`;


test('a counselor sets up, writes a note that survives a lock, finalises it and records a red flag', async () => {
  await withHarness('counselor', async (h) => {
    const app = await h.openApp('counselor');
    await app.resize(1366, 768);

    // First run: a vault on this computer (not joining an organisation), a passphrase with
    // strength meter and the unrecoverable-passphrase warning.
    await app.waitFor('[data-testid=setup-choice-local]', { timeoutMs: 20_000 });
    await app.click('[data-testid=setup-choice-local]');
    await app.waitFor('[data-testid=setup-passphrase]');
    await app.type('[data-testid=setup-passphrase]', PASSPHRASE);
    await app.type('[data-testid=setup-confirm]', PASSPHRASE);
    await maybeSaveDocScreenshot(app, 'screenshots/first-run.png');
    await app.click('[data-testid=setup-create]');
    await app.waitFor('[data-testid=today]', { timeoutMs: 30_000 });
    // Home of a new vault says where to start; it fits the screen in both languages.
    await app.waitFor('[data-testid=today-first-client]');
    await assertFitsBothLanguages(app, 'Home (new vault)');

    // A client, pseudonymous code first.
    await app.click('[data-testid=nav-clients]');
    await app.click('[data-testid=client-new]');
    await app.type('[data-testid=client-code]', 'K-0001');
    await app.type('[data-testid=client-name]', 'Klien Sintetis');
    await app.type('[data-testid=client-estimated-age]', '34');
    await app.click('[data-testid=client-save]');
    await app.waitForText('[data-testid=profile-code]', (t) => t === 'K-0001');
    await app.waitFor('[data-testid=no-consent]');

    // A typo in the name is corrected on the profile; the name shows only on demand.
    await app.click('[data-testid=client-edit]');
    await app.clear('[data-testid=client-name]');
    await app.type('[data-testid=client-name]', 'Klien Sintetis Dua');
    await app.click('[data-testid=client-save]');
    await until(async () => (await app.texts('[data-testid=client-save]')).length === 0, 'the form to close');
    assert.equal((await app.texts('[data-testid=profile-name]')).length, 0, 'names are hidden until asked for');
    await app.click('[data-testid=show-name]');
    await app.waitForText('[data-testid=profile-name]', (t) => t === 'Klien Sintetis Dua');
    // The same button now hides the name again, and says so.
    await app.waitForText('[data-testid=show-name]', (t) => t === catalogueText('id', 'client.hideName'));
    await app.click('[data-testid=show-name]');
    await until(async () => (await app.texts('[data-testid=profile-name]')).length === 0, 'the name to hide again');
    assert.equal(await app.text('[data-testid=show-name]'), catalogueText('id', 'client.showName'));

    // Consent for service removes the banner; a case records risk with its history.
    await app.click('[data-testid=consent-new]');
    await app.click('[data-testid=consent-save]');
    await until(async () => (await app.texts('[data-testid=no-consent]')).length === 0, 'the no-consent banner to go');
    // Withdrawing asks for confirmation and a reason; afterwards the banner says it was
    // withdrawn (not that none was ever recorded) and the history shows given -> withdrawn.
    await app.click('[data-testid=consent-withdraw]');
    await app.click('[data-testid=consent-withdraw-confirm]');
    await app.waitFor('[data-testid=consent-withdraw-problem]');
    await app.type('[data-testid=consent-withdraw-reason]', 'Klien ingin berhenti dulu (data sintetis).');
    await app.click('[data-testid=consent-withdraw-confirm]');
    await app.waitFor('[data-testid=consent-withdrawn]');
    assert.equal((await app.texts('[data-testid=no-consent]')).length, 0, 'a withdrawn consent is not "none recorded"');
    assert.ok((await app.texts('[data-testid=consent-history]')).some((t) => t.includes('Klien ingin berhenti dulu')), 'the reason is in the history');
    // She agrees again: a new consent, and the banner goes.
    await app.click('[data-testid=consent-new]');
    await app.click('[data-testid=consent-save]');
    await until(async () => (await app.texts('[data-testid=consent-withdrawn]')).length === 0, 'the withdrawn banner to go');
    await app.click('[data-testid=case-open]');
    await app.waitFor('[data-testid=risk-level]');
    await app.click('[data-testid=risk-level] option[value=high]');
    await app.click('[data-testid=risk-save]');
    await app.waitForText('[data-testid=case-risk]', (t) => t === catalogueText('id', 'note.risk.high'));
    // The case moves on to assessment.
    await app.click('[data-testid=case-stage] option[value=assessment]');
    await app.waitForText('[data-testid=case-summary]', (t) => t.includes(catalogueText('id', 'case.stage.assessment')));
    await maybeSaveDocScreenshot(app, 'screenshots/client-profile.png');
    await assertFitsBothLanguages(app, 'client profile');

    // A note, autosaved as a draft.
    await app.click('[data-testid=note-new]');
    await app.type('[data-testid=note-narrative]', NARRATIVE);
    await app.waitForText('[data-testid=note-save-status]', (t) => t.length > 0 && !t.includes('…'), {
      what: 'the draft to be saved',
    });
    await maybeSaveDocScreenshot(app, 'screenshots/session-note.png');
    await assertFitsBothLanguages(app, 'session note editor');

    // Lock: the unlock screen replaces everything decrypted.
    await app.click('[data-testid=lock-button]');
    await app.waitFor('[data-testid=unlock-passphrase]');
    assert.equal(
      (await app.texts('[data-testid=client-profile]')).length,
      0,
      'no client data stays on screen when locked',
    );

    // Wrong passphrase: the right message, in Indonesian.
    await app.type('[data-testid=unlock-passphrase]', 'bukan frasa yang benar');
    await app.click('[data-testid=unlock-button]');
    const wrong = await app.waitForText('[data-testid=unlock-error]', (t) => t.length > 0);
    assert.equal(wrong, catalogueText('id', 'error.WrongPassphrase'));
    await maybeSaveDocScreenshot(app, 'screenshots/unlock-wrong-passphrase.png');
    await assertFitsBothLanguages(app, 'lock screen');

    await app.type('[data-testid=unlock-passphrase]', PASSPHRASE);
    await app.click('[data-testid=unlock-button]');
    await app.waitFor('[data-testid=today]', { timeoutMs: 30_000 });
    await until(async () => (await app.texts('[data-testid=today-draft]')).some((t) => t.includes('K-0001')), 'the draft on Home');

    // The draft is there, word for word.
    await app.click('[data-testid=nav-clients]');
    await until(async () => (await app.attributes('[data-testid=client-row]', 'data-code')).includes('K-0001'), 'the client row');
    await assertFitsBothLanguages(app, 'client list');
    // The list filters by risk: the client's case is at "high", so "at least imminent" hides it.
    await app.click('[data-testid=client-filter-risk] option[value=imminent]');
    await until(async () => !(await app.attributes('[data-testid=client-row]', 'data-code')).includes('K-0001'), 'the risk filter hiding the client');
    await app.click('[data-testid=client-filter-risk] option[value=high]');
    await until(async () => (await app.attributes('[data-testid=client-row]', 'data-code')).includes('K-0001'), 'the risk filter keeping the client');
    await app.click('[data-testid=client-filter-risk] option[value=""]');
    await app.click('[data-testid=client-row][data-code=K-0001]');
    await app.click('[data-testid=note-item]');
    assert.equal(await app.value('[data-testid=note-narrative]'), NARRATIVE, 'typing survives a lock');

    // Finalise with confirmation; then edits are refused and an addendum works.
    await app.clickUntil('[data-testid=note-finalise]', '[data-testid=note-finalise-confirm]');
    await app.click('[data-testid=note-finalise-confirm]');
    await app.waitFor('[data-testid=note-readonly]');
    assert.equal(await app.enabled('[data-testid=note-narrative]'), false, 'a finalised note cannot be edited');
    await app.type('[data-testid=addendum-text]', 'Adendum: klien menghubungi kembali keesokan harinya.');
    await app.click('[data-testid=addendum-add]');
    await app.waitForText('[data-testid=addendum]', (t) => t.startsWith('Adendum:'));
    await app.click('[data-testid=note-close]');

    // SRQ-20 with "thoughts of ending your life" answered yes: red flag on the profile and Home.
    await app.click('[data-testid=screening-new]');
    await app.waitFor('[data-testid="answer-srq20.01-0"]');
    for (let i = 1; i <= 20; i++) {
      const value = i === 17 ? 1 : 0;
      await app.click(`[data-testid="answer-srq20.${String(i).padStart(2, "0")}-${value}"]`);
    }
    await app.click('[data-testid=screening-save]');
    await app.waitFor('[data-testid=screening-red-flag]');
    await maybeSaveDocScreenshot(app, 'screenshots/screening-red-flag.png');
    // The red flag itself opens the escalation path: the emergency and crisis numbers.
    await app.click('[data-testid=screening-open-emergency]');
    await app.waitFor('[data-testid=emergency-panel]');
    await app.chord(Keys.ESCAPE);
    await until(async () => (await app.texts('[data-testid=emergency-panel]')).length === 0, 'the panel to close');
    await app.waitFor('[data-testid=profile-red-flag]');

    // The red flag points to the escalation path: one shortcut opens the emergency numbers
    // right here on the profile.
    await app.chord(Keys.CONTROL, Keys.SHIFT, 'd');
    await app.waitFor('[data-testid=emergency-panel]');
    await app.chord(Keys.ESCAPE);
    await until(async () => (await app.texts('[data-testid=emergency-panel]')).length === 0, 'the panel to close');
    await app.click('[data-testid=nav-today]');
    await until(async () => (await app.texts('[data-testid=today-red-flag]')).some((t) => t.includes('K-0001')), 'the red flag on Home');
    await assertFitsBothLanguages(app, 'Home');
    await maybeSaveDocScreenshot(app, 'screenshots/today.png');

    // A referral from the profile: the consent on file covers service only, so a lawful basis is
    // asked for; the follow-up (due today) shows on Home; then accepted -> completed.
    await app.click('[data-testid=nav-clients]');
    await app.click('[data-testid=client-row][data-code=K-0001]');
    await app.click('[data-testid=referral-new]');
    await app.type('[data-testid=referral-search]', 'SAPA');
    await app.waitFor('[data-testid=referral-choice][data-entry-id=sapa-129]');
    await app.click('[data-testid=referral-choice][data-entry-id=sapa-129]');
    await app.type('[data-testid=referral-reason]', 'Kekerasan dalam rumah tangga (data sintetis).');
    await app.waitFor('[data-testid=referral-consent-missing]');
    await app.click('[data-testid=referral-basis] option[value=vital_interest]');
    const d = new Date();
    const today = `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
    await app.type('[data-testid=referral-follow-up]', today);
    await app.click('[data-testid=referral-send]');
    await app.waitForText('[data-testid=referral-status]', (t) => t === catalogueText('id', 'referral.status.sent'));
    await maybeSaveDocScreenshot(app, 'screenshots/referral.png');

    await app.click('[data-testid=nav-today]');
    await until(async () => (await app.texts('[data-testid=today-referral]')).some((t) => t.includes('SAPA 129')), 'the open referral on Home');
    await until(async () => (await app.texts('[data-testid=today]')).some((t) => t.includes('Rujukan: SAPA 129')), 'its follow-up task due today on Home');
    // The follow-up call was made: marking the task done takes it off Today; the referral stays open.
    await app.click('[data-testid=task-done]');
    await until(async () => !(await app.texts('[data-testid=today]')).some((t) => t.includes('Rujukan: SAPA 129')), 'the done task to leave Today');
    assert.ok((await app.texts('[data-testid=today-referral]')).some((t) => t.includes('SAPA 129')), 'the referral itself is still open');

    await app.click('[data-testid=nav-clients]');
    await app.click('[data-testid=client-row][data-code=K-0001]');
    await app.click('[data-testid=referral-mark-accepted]');
    await app.waitForText('[data-testid=referral-status]', (t) => t === catalogueText('id', 'referral.status.accepted'));
    await app.click('[data-testid=referral-mark-completed]');
    await app.waitForText('[data-testid=referral-status]', (t) => t === catalogueText('id', 'referral.status.completed'));
    await app.click('[data-testid=nav-today]');
    await app.waitFor('[data-testid=today]');
    await until(async () => (await app.texts('[data-testid=today-referral]')).length === 0, 'the completed referral to leave Home');

    // A follow-up task from the profile: due today, it shows on Today; done on the profile, it
    // leaves both.
    await app.click('[data-testid=nav-clients]');
    await app.click('[data-testid=client-row][data-code=K-0001]');
    await app.type('[data-testid=task-title]', 'Telepon klien untuk jadwal berikutnya');
    await app.type('[data-testid=task-due]', today);
    await app.click('[data-testid=task-add]');
    await app.waitForText('[data-testid=task-item]', (t) => t.includes('Telepon klien'));
    await app.click('[data-testid=nav-today]');
    await until(async () => (await app.texts('[data-testid=today]')).some((t) => t.includes('Telepon klien')), 'the task due today on Today');
    await app.click('[data-testid=nav-clients]');
    await app.click('[data-testid=client-row][data-code=K-0001]');
    await app.clickUntilGone('[data-testid=task-item-done]');
    await until(async () => (await app.texts('[data-testid=task-item]')).length === 0, 'the done task to leave the open list');

    // UU PDP: the client asked for a copy of her data by letter, read 50 hours ago and entered
    // now. The 3x24 h run from the receipt: Home counts down the 22 hours left.
    const received = new Date(Date.now() - 50 * 3600_000 + 7 * 3600_000); // WIB fields
    const pad = (n) => String(n).padStart(2, '0');
    await app.click('[data-testid=request-new]');
    await app.click('[data-testid=request-via] option[value=letter]');
    await app.type('[data-testid=request-date]', `${pad(received.getUTCDate())}/${pad(received.getUTCMonth() + 1)}/${received.getUTCFullYear()}`);
    await app.type('[data-testid=request-time]', `${pad(received.getUTCHours())}.${pad(received.getUTCMinutes())}`);
    await app.click('[data-testid=request-identity] option[value=identity_card]');
    await app.type('[data-testid=request-details]', 'Meminta salinan catatan sesi (data sintetis).');
    await app.click('[data-testid=request-save]');
    await app.waitForText('[data-testid=request-left]', (t) => /^sisa 2[12] jam/.test(t), { what: 'the time left on the profile' });
    assert.match(await app.text('[data-testid=request-item]'), /dicatat/, 'the late entry shows');
    await assertFitsBothLanguages(app, 'client profile with a request');
    await app.click('[data-testid=nav-today]');
    await app.waitForText('[data-testid=today-requests] [data-testid=open-request-left]', (t) => /^sisa 2[12] jam/.test(t), { what: 'the countdown on Home' });
    assert.match(await app.text('[data-testid=today-requests] [data-testid=open-request]'), /K-0001/);
    assert.equal(await app.attribute('[data-testid=today-requests] [data-testid=open-request]', 'data-overdue'), 'false');

    // Her identity was checked (identity card): the access export answers the request, a PDF
    // in the export folder (the default one here) with her processing trail, the third party
    // redacted.
    await app.click('[data-testid=today-requests] [data-testid=open-request-client]');
    await app.click('[data-testid=request-export]');
    await app.waitFor('[data-testid=request-export-saved]', { timeoutMs: 30_000 });
    const saved = await app.text('[data-testid=request-export-saved]');
    const exportPdf = saved.match(/(\/\S+\.pdf)/)?.[1] ?? '';
    assert.ok(exportPdf.startsWith(path.join(app.dataDir, 'exports')) && fs.existsSync(exportPdf), `the PDF is in the export folder: ${saved}`);
    assert.ok(fs.existsSync(exportPdf.replace(/\.pdf$/, '.json')), `the JSON beside it: ${saved}`);
    // One space for every run of spaces and line breaks: a wrapped line still reads whole.
    const exportText = execFileSync('pdftotext', [exportPdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const expected of ['Salinan Data Pribadi', 'Riwayat pemrosesan', 'membuat profil', 'membuka profil', 'tidur yang terganggu. [disamarkan: informasi pihak ketiga]', '1 bagian berisi informasi pihak ketiga disamarkan.']) {
      assert.ok(exportText.includes(expected), `the access export says ${expected}:\n${exportText}`);
    }
    assert.ok(!exportText.includes('Sari Sintetis'), `the third party is not in the export:\n${exportText}`);
    await assertFitsBothLanguages(app, 'client profile with the access export made');
  });
});
