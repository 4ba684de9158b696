// The consent form marks the field a refusal concerns (issue #19).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { choose, errorBeside, render, stubScrolling, typeInto, press } from '../lib/testing/render';
import ConsentPanel from './ConsentPanel.svelte';

const noop = (): void => {};
beforeEach(() => {
  stubScrolling();
  mockIPC(() => {
    throw new Error('nothing is recorded while the form has an error');
  });
});
afterEach(() => clearMocks());

describe('the consent form for a child', () => {
  it('shows the missing guardian\'s name beside that field until she types it', () => {
    const r = render(ConsentPanel, { client: 'c1', consents: [], isChild: true, onChanged: noop, onError: noop });
    press(r.q('consent-new'));
    press(r.q('consent-save'));
    expect(errorBeside(r.q('consent-giver-name'))).toBe('Tulis nama orang tua atau wali yang memberi persetujuan.');
    typeInto(r.q('consent-giver-name'), 'Ibu Uji');
    expect(errorBeside(r.q('consent-giver-name'))).toBeNull();
    r.destroy();
  });

  it('without a guardian, marks the lawful basis, then the reason', () => {
    const r = render(ConsentPanel, { client: 'c1', consents: [], isChild: true, onChanged: noop, onError: noop });
    press(r.q('consent-new'));
    choose(r.q('consent-given-by'), 'no_guardian');
    choose(r.target.querySelector<HTMLElement>('[data-testid=consent-assent] input[value=yes]'), true);
    press(r.q('consent-save'));
    expect(errorBeside(r.q('consent-basis'))).toBe('Tanpa orang tua/wali, pilih dasar hukum selain persetujuan (mis. kepentingan vital).');
    choose(r.q('consent-basis'), 'vital_interest');
    expect(errorBeside(r.q('consent-basis'))).toBeNull();
    press(r.q('consent-save'));
    expect(errorBeside(r.q('consent-basis-reason'))).toBe('Tulis alasan tidak ada orang tua/wali yang dapat dimintai.');
    r.destroy();
  });
});
