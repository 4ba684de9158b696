// The directory works offline and before unlock: search finds child-protection services, and the
// emergency panel opens with one shortcut from anywhere.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Keys } from './webdriver.mjs';
import { REPO, catalogueText, maybeSaveDocScreenshot, withHarness } from './harness.mjs';
import { assertFitsBothLanguages } from './flows.mjs';

async function waitForIds(app, predicate, what) {
  let ids = [];
  for (let i = 0; i < 100; i++) {
    ids = await app.attributes('[data-testid=directory-entry]', 'data-entry-id');
    if (predicate(ids)) return ids;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}; last ids: ${JSON.stringify(ids)}`);
}

test('searching "anak" finds SAPA 129 and the child-protection services, offline', async () => {
  // No server at all: the directory must not need one.
  await withHarness(
    'directory',
    async (h) => {
      const app = await h.openApp('outreach', { serverUrl: null });
      await app.waitFor('[data-testid=nav-directory]');
      await app.click('[data-testid=nav-directory]');
      await app.waitFor('[data-testid=directory-search]');
      await app.resize(1366, 768);
      await assertFitsBothLanguages(app, 'service directory');
      await app.type('[data-testid=directory-search]', 'anak');
      const ids = await waitForIds(
        app,
        (ids) => ids.includes('sapa-129') && ids.includes('balai-anak-rumbai') && !ids.includes('darurat-112'),
        'search results for "anak"',
      );
      for (const want of ['sapa-129', 'tepsa-1500-771', 'balai-anak-rumbai', 'lpks-lubuk-minturun']) {
        assert.ok(ids.includes(want), `${want} must be found by "anak" (got ${ids})`);
      }
      // Unverified and to-be-verified entries are visibly marked.
      const badges = await app.texts('[data-entry-id=tepsa-1500-771] [data-testid=badge-unverified]');
      assert.equal(badges.length, 1, 'TePSA is marked unverified');
      const tbv = await app.texts('[data-entry-id=balai-anak-rumbai] [data-testid=badge-to-be-verified]');
      assert.equal(tbv.length, 1, 'a partner without a published contact is marked "to be verified"');
      await maybeSaveDocScreenshot(app, 'screenshots/directory.png');

      // Region filter: Riau keeps national services and Riau's partners, drops West Sumatra's.
      await app.click('[data-testid=directory-region] option[value=Riau]');
      await waitForIds(
        app,
        (ids) => ids.includes('balai-anak-rumbai') && ids.includes('sapa-129') && !ids.includes('lpks-lubuk-minturun'),
        'the Riau filter',
      );

      // One shortcut opens the emergency panel from wherever the focus is.
      await app.chord(Keys.CONTROL, Keys.SHIFT, 'd');
      await app.waitFor('[data-testid=emergency-panel]');
      const numbers = await app.texts('[data-testid=emergency-panel] [data-testid=phone-number]');
      for (const n of ['112', '110', '119', '129']) {
        assert.ok(numbers.includes(n), `the emergency panel shows ${n} (got ${numbers})`);
      }
      await maybeSaveDocScreenshot(app, 'screenshots/emergency-panel.png');
      // Scrolled to the bottom of its list, the panel keeps its title and "Tutup" in view, on top.
      await app.execute('const p = document.querySelector("[data-testid=emergency-panel]"); p.scrollTop = p.scrollHeight;');
      await new Promise((r) => setTimeout(r, 200));
      const kept = await app.execute(`
        const p = document.querySelector('[data-testid=emergency-panel]').getBoundingClientRect();
        const close = document.querySelector('[data-testid=emergency-close]');
        const r = close.getBoundingClientRect();
        const hit = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);
        const scroller = document.querySelector('[data-testid=emergency-panel]');
        return { scrolled: scroller.scrollTop, top: Math.round(r.top), bottom: Math.round(r.bottom), panel: [Math.round(p.top), Math.round(p.bottom)], onTop: !!hit && close.contains(hit) };
      `);
      assert.ok(kept.scrolled > 200, `the full panel scrolls at 1366x768: ${JSON.stringify(kept)}`);
      assert.ok(kept.top >= kept.panel[0] - 1 && kept.bottom <= kept.panel[1] && kept.onTop, `"Tutup" stays visible after scrolling: ${JSON.stringify(kept)}`);
      await app.chord(Keys.ESCAPE);
      for (let i = 0; i < 50; i++) {
        const open = await app.attributes('[data-testid=emergency-panel]', 'role');
        if (open.length === 0) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail('Escape closes the emergency panel');
    },
    { server: false },
  );
});

/** Empties the search box with Backspace, which (unlike WebDriver's clear) fires `input`. */
async function eraseSearch(app) {
  await app.type('[data-testid=directory-search]', '\uE003'.repeat(40));
}

/** The seed's rota number for today in WIB (the hotline's zone), Monday first as in the seed. */
function rotaNumberToday(rota) {
  const wib = new Date(Date.now() + 7 * 3600 * 1000);
  return rota[(wib.getUTCDay() + 6) % 7];
}

test('the night shift: the suicide-risk key lists crisis lines first with today\'s rota number, "KDRT" finds SAPA 129', async () => {
  const seed = JSON.parse(fs.readFileSync(path.join(REPO, 'crates/teduh-directory/seed/directory-seed.json'), 'utf8'));
  const hotline = seed.entries.find((e) => e.id === 'kemensos-psikososial-24-jam');
  assert.ok(hotline?.rota, 'the weekday-rota hotline is seeded');
  await withHarness(
    'directory-night',
    async (h) => {
      const app = await h.openApp('night', { serverUrl: null });
      await app.waitFor('[data-testid=nav-directory]');
      await app.click('[data-testid=nav-directory]');
      await app.waitFor('[data-testid=directory-search]');

      await app.type('[data-testid=directory-search]', 'KDRT');
      await waitForIds(app, (ids) => ids.includes('sapa-129'), '"KDRT" finds SAPA 129');
      await eraseSearch(app);

      // The weekday-rota hotline's card: today's number first, then the whole week.
      await app.type('[data-testid=directory-search]', 'hotline konseling');
      await waitForIds(app, (ids) => ids.includes('kemensos-psikososial-24-jam') && !ids.includes('darurat-112'), 'the rota hotline is found');
      const card = '[data-entry-id=kemensos-psikososial-24-jam]';
      const todayBefore = rotaNumberToday(hotline.rota);
      const shownToday = await app.text(`${card} [data-testid=rota-number] .number`);
      const todayAfter = rotaNumberToday(hotline.rota);
      assert.ok([todayBefore, todayAfter].includes(shownToday), `today's number first (got ${shownToday})`);
      const week = await app.texts(`${card} [data-testid=rota-week] li`);
      assert.equal(week.length, 7, 'the whole week');
      assert.ok(week[0].includes(shownToday), `the week starts today: ${week}`);
      assert.equal((await app.texts(`${card} [data-testid=badge-unverified]`)).length, 1, 'marked unverified');
      assert.equal((await app.texts(`${card} [data-testid=badge-outdated]`)).length, 1, 'marked possibly outdated');
      await maybeSaveDocScreenshot(app, 'screenshots/directory-rota.png');
      await eraseSearch(app);

      // "Open now" keeps a line whose hours are unknown, and says so.
      // (Every answer without 112 comes from a query typed after the box was ticked.)
      await app.click('[data-testid=directory-open-now]');
      await app.type('[data-testid=directory-search]', '119');
      await waitForIds(app, (ids) => ids.includes('sejiwa-119-8') && !ids.includes('darurat-112'), 'open now keeps SEJIWA');
      const state = await app.text('[data-entry-id=sejiwa-119-8] [data-testid=open-state]');
      assert.equal(state, catalogueText('id', 'open.unknown'));
      await app.click('[data-testid=directory-open-now]');
      await eraseSearch(app);

      // Balai Anak "Rumbai" also works with West Sumatra's social services.
      await app.click('[data-testid=directory-region] option[value="Sumatera Barat"]');
      await waitForIds(
        app,
        (ids) => ids.includes('balai-anak-rumbai') && ids.includes('lpks-lubuk-minturun'),
        'the West Sumatra filter keeps Balai Anak "Rumbai"',
      );

      await app.chord(Keys.CONTROL, Keys.SHIFT, 'd');
      await app.waitFor('[data-testid=emergency-panel]');
      const keys = await app.attributes('[data-testid=situation-key]', 'data-situation');
      assert.deepEqual(
        keys,
        ['suicide_risk', 'child_in_danger', 'violence_against_woman', 'medical_emergency', 'general_emergency'],
        'one key per situation, suicide risk first and general emergency last',
      );
      await app.click('[data-testid=situation-key][data-situation=suicide_risk]');
      let groups = [];
      for (let i = 0; i < 50; i++) {
        groups = await app.attributes('[data-testid=situation-group]', 'data-situation');
        if (groups.length === 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(groups, ['suicide_risk'], 'the key shows its situation only');
      const categories = await app.attributes('[data-testid=situation-group] [data-testid=directory-entry]', 'data-category');
      assert.ok(categories.length >= 2, `crisis lines are listed (got ${categories})`);
      assert.equal(categories[0], 'mental_health', 'a crisis line comes first');
      const firstOther = categories.findIndex((c) => c !== 'mental_health');
      assert.ok(
        firstOther === -1 || categories.slice(firstOther).every((c) => c !== 'mental_health'),
        `crisis and mental-health lines before anything else: ${categories}`,
      );
      const before = rotaNumberToday(hotline.rota);
      const shown = await app.text(
        '[data-situation=suicide_risk] [data-entry-id=kemensos-psikososial-24-jam] [data-testid=rota-number] .number',
      );
      const after = rotaNumberToday(hotline.rota);
      assert.ok([before, after].includes(shown), `today's rota number ${before} is shown (got ${shown})`);
      const numbers = await app.texts('[data-testid=situation-group] [data-testid=phone-number]');
      assert.ok(numbers.includes('119'), `SEJIWA's 119 is in the suicide-risk list (got ${numbers})`);

      // 1366x768: the panel fits the window and scrolls itself; nothing sticks out sideways.
      const box = await app.execute(
        'const p = document.querySelector("[data-testid=emergency-panel]"); const r = p.getBoundingClientRect(); return [r.left, r.right, r.bottom, window.innerWidth, window.innerHeight, p.scrollWidth <= p.clientWidth];',
      );
      const [left, right, bottom, width, height, noSideways] = box;
      assert.ok(left >= 0 && right <= width && bottom <= height, `the panel is on screen: ${box}`);
      assert.ok(noSideways, 'no horizontal overflow in the panel');
      await maybeSaveDocScreenshot(app, 'screenshots/emergency-panel-suicide-risk.png');

      await app.chord('2');
      for (let i = 0; i < 50; i++) {
        groups = await app.attributes('[data-testid=situation-group]', 'data-situation');
        if (groups[0] === 'child_in_danger') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(groups, ['child_in_danger'], 'the digit 2 chooses "a child in danger"');
      const child = await app.attributes('[data-testid=situation-group] [data-testid=directory-entry]', 'data-entry-id');
      assert.equal(child[0], 'sapa-129', `SAPA 129 first for a child in danger (got ${child})`);
    },
    { server: false },
  );
});
