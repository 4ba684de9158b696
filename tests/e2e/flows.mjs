// Steps several e2e files share: waiting for a condition, joining an organisation from the
// first-run screen, running a sync round from Settings, adding a client.
import assert from 'node:assert/strict';
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
 * First run with an invitation a supervisor made in her app: the form shows who invites before
 * the passphrase is set, and the username is the one the code names; lands on Home.
 */
export async function joinWithInvitation(app, { serverUrl, invitation, passphrase, inviter }) {
  await app.click('[data-testid=setup-choice-join]');
  await app.waitFor('[data-testid=join-form]');
  await app.clear('[data-testid=join-server]');
  await app.type('[data-testid=join-server]', serverUrl);
  await app.type('[data-testid=join-invitation]', invitation);
  await app.waitForText('[data-testid=join-invited]', (t) => t.includes(`Diundang oleh ${inviter}`));
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

/**
 * The supervisor's half of an admission: she syncs to see the newcomer waiting, types the
 * number she hears, and syncs the roster and the team key out.
 */
export async function typeSafetyNumber(supervisor, username, number) {
  await syncNow(supervisor, 'the supervisor to see who waits');
  const entry = `[data-testid=admission-entry][data-username="${username}"]`;
  await supervisor.waitFor(`${entry} [data-testid=admission-number]`);
  await supervisor.type(`${entry} [data-testid=admission-number]`, number);
  await supervisor.click(`${entry} [data-testid=admission-confirm]`);
  await supervisor.waitFor('[data-testid=admission-done]');
  await syncNow(supervisor, 'the roster and the team key to go out');
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

/**
 * The screen in view fits 1366×768 in both languages: no horizontal scroll, no visible element
 * past the right edge, the header's controls (the language select among them) inside the window,
 * and the note editor's "Lapisan MHPSS" select clear of "Tingkat risiko".
 * Checks the current language, switches language once, checks again and switches back (one
 * toggle per screen, not a second pass of every flow). `screen` names it in the failure.
 */
export async function assertFitsBothLanguages(app, screen) {
  const measure = () =>
    app.execute(`
      const width = document.documentElement.clientWidth;
      const off = [];
      for (const el of document.querySelectorAll('body *')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.position === 'fixed') continue;
        // The emergency panel is an overlay with its own scrolling, checked on its own.
        if (el.closest('[data-testid=emergency-panel]')) continue;
        if (r.right > width + 1) off.push((el.dataset.testid || el.tagName.toLowerCase()) + ' ' + Math.round(r.right));
      }
      // The header's controls (the language select among them) stay inside the window, either side.
      const header = [...document.querySelectorAll('[data-testid=app-header] *')]
        .map((el) => [el, el.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0 && (r.left < -1 || r.right > width + 1))
        .map(([el, r]) => (el.dataset.testid || el.tagName.toLowerCase()) + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
      const lang = document.querySelector('[data-testid=language-switch]')?.getBoundingClientRect();
      const overlaps = [];
      const selects = document.querySelectorAll('[data-testid=note-editor] .grid label');
      for (const a of selects) for (const b of selects) {
        if (a === b) continue;
        const ra = a.querySelector('select,input')?.getBoundingClientRect();
        const rb = b.getBoundingClientRect();
        if (ra && ra.right > rb.left + 1 && ra.left < rb.left && Math.abs(ra.top - rb.top) < rb.height) overlaps.push(a.textContent.trim().slice(0, 20));
      }
      return {
        lang: document.documentElement.lang,
        scroll: document.documentElement.scrollWidth - width,
        off: off.slice(0, 5),
        overlaps,
        header: header.slice(0, 5),
        language: lang ? [Math.round(lang.left), Math.round(lang.right)] : null,
        width,
        innerWidth: window.innerWidth,
      };
    `);
  const check = async () => {
    const m = await measure();
    assert.ok(m.scroll <= 0, `${screen} (${m.lang}) scrolls sideways by ${m.scroll}px at ${m.innerWidth}px`);
    assert.deepEqual(m.off, [], `${screen} (${m.lang}): elements past the right edge`);
    assert.deepEqual(m.header, [], `${screen} (${m.lang}): header controls outside the window`);
    assert.ok(m.language && m.language[0] >= 0 && m.language[1] <= m.width + 1, `${screen} (${m.lang}): the language select is inside the window (${m.language})`);
    assert.deepEqual(m.overlaps, [], `${screen} (${m.lang}): a field overlaps the next one`);
    return m.lang;
  };
  const switchTo = async (lang) => {
    await app.execute(
      `const s = document.querySelector('[data-testid=language-switch]'); s.value = arguments[0]; s.dispatchEvent(new Event('change', { bubbles: true }));`,
      [lang],
    );
    await until(async () => (await app.execute('return document.documentElement.lang')) === lang, `the UI in ${lang}`);
  };
  const first = await check();
  const other = first === 'en' ? 'id' : 'en';
  await switchTo(other);
  await check();
  await switchTo(first);
}
