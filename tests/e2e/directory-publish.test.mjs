// The admin publishes a directory; the app, given the organisation's key, fetches and verifies it
// and finds the new entry offline afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { SERVER_BIN, catalogueText, withHarness } from './harness.mjs';

test('a directory published by the admin reaches the app and is searchable', async () => {
  await withHarness('directory-publish', async (h) => {
    const data = h.path('server');
    const admin = (...args) => execFileSync(SERVER_BIN, ['--data-dir', data, 'admin', 'directory', ...args], { encoding: 'utf8' });
    const file = h.path('directory.json');
    admin('export', '--format', 'json', '--out', file);
    const entries = JSON.parse(fs.readFileSync(file, 'utf8'));
    entries.push({
      ...entries.find((e) => e.id === 'dinsos-tanah-datar'),
      id: 'layanan-uji-e2e',
      name: 'Layanan Uji Sintetis Kabupaten Contoh',
    });
    fs.writeFileSync(file, JSON.stringify(entries));
    admin('import', file);
    const published = admin('publish');
    const key = published.match(/directory key[^:]*: ([0-9a-f]{64})/)?.[1];
    assert.ok(key, `publish prints the key: ${published}`);

    const app = await h.openApp('field');
    await app.waitFor('[data-testid=nav-directory]');
    await app.click('[data-testid=nav-directory]');
    await app.click('[data-testid=directory-refresh]');
    await app.waitForText('[data-testid=directory-refresh-status]', (t) => t === catalogueText('id', 'directory.refresh.noKey'));

    // Settings are behind the vault: set it up, then enter the organisation's key.
    await app.click('[data-testid=nav-home]');
    await app.click('[data-testid=setup-choice-local]');
    await app.type('[data-testid=setup-passphrase]', 'kopi pagi di teras rumah');
    await app.type('[data-testid=setup-confirm]', 'kopi pagi di teras rumah');
    await app.click('[data-testid=setup-create]');
    await app.waitFor('[data-testid=today]', { timeoutMs: 30_000 });
    await app.click('[data-testid=nav-about]');
    await app.type('[data-testid=settings-directory-key]', key);
    await app.click('[data-testid=settings-save]');
    await app.waitFor('[role=status]');

    await app.click('[data-testid=nav-directory]');
    await app.click('[data-testid=directory-refresh]');
    await app.waitForText('[data-testid=directory-refresh-status]', (t) => t.includes('2'), { what: 'the update to version 2' });
    await app.type('[data-testid=directory-search]', 'uji sintetis');
    for (let i = 0; i < 50; i++) {
      const ids = await app.attributes('[data-testid=directory-entry]', 'data-entry-id');
      if (ids.includes('layanan-uji-e2e')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail('the published entry is searchable on the device');
  });
});
