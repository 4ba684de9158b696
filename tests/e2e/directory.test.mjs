// The directory works offline and before unlock: search finds child-protection services, and the
// emergency panel opens with one shortcut from anywhere.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Keys } from './webdriver.mjs';
import { maybeSaveDocScreenshot, withHarness } from './harness.mjs';

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
