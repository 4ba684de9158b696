// First scenario: the real app opens in a real window, speaks Indonesian, switches to English
// (and remembers it), shows the core's version through IPC, and reaches a real teduh-server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { catalogueText, maybeSaveDocScreenshot, withHarness, workspaceVersion } from './harness.mjs';

test('the app opens in Indonesian, switches to English, and shows the core version from IPC', async () => {
  await withHarness('foundation', async (h) => {
    const app = await h.openApp('counselor');
    await app.waitFor('[data-testid=home-title]', { timeoutMs: 20_000 }).catch(() => {
      throw new Error('the window shows no home title (is it empty?)');
    });

    const version = await app.waitForText('[data-testid=core-version]', (t) => t !== '…', {
      what: 'the version from the core (IPC app_info)',
    });
    assert.equal(version, workspaceVersion(), 'the version comes from teduh-core over IPC');

    // Read the title only after the core answered: the language shown is then the core's
    // saved choice, not the UI's initial default.
    const shown = await app.text('[data-testid=home-title]');
    assert.equal(shown, catalogueText('id', 'home.title'), 'the first screen speaks the Indonesian catalogue');

    const dataDir = await app.text('[data-testid=data-dir]');
    assert.equal(dataDir, app.dataDir, 'the app uses the data directory it was given');

    const state = await (async () => {
      for (let i = 0; i < 100; i++) {
        const s = await app.attribute('[data-testid=server-status]', 'data-state');
        if (s !== 'checking') return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      return 'checking';
    })();
    assert.equal(state, 'online', `the app reaches the real server at ${h.serverUrl}`);
    assert.match(await app.text('[data-testid=server-status]'), new RegExp(workspaceVersion().replace(/\./g, '\\.')));

    await maybeSaveDocScreenshot(app, 'screenshot.png');

    await app.click('[data-testid=language-switch] option[value=en]');
    await app.waitForText('[data-testid=home-title]', (t) => t === catalogueText('en', 'home.title'), {
      what: 'the English home title after switching',
    });

    // The choice is saved by the core: a restart on the same data directory stays in English.
    await h.closeApp(app);
    const again = await h.openApp('counselor');
    const title = await again.waitForText('[data-testid=home-title]', (t) => t === catalogueText('en', 'home.title'), {
      what: 'English after a restart',
    });
    assert.equal(title, catalogueText('en', 'home.title'));
  });
});
