import { describe, expect, it } from 'vitest';
import { en, id } from './catalogue';
// The generated union of the core's codes, read as text: a new variant in Rust must have a
// sentence here in both languages before this test passes.
import codeSource from '../backend/bindings/Code.ts?raw';
import { isLocale, locale, setLocale, t } from './i18n.svelte';

describe('i18n', () => {
  it('speaks Bahasa Indonesia by default', () => {
    expect(locale()).toBe('id');
    expect(t('home.title')).toBe('Selamat datang di Teduh');
  });

  it('switches to English and back', () => {
    setLocale('en');
    expect(t('home.title')).toBe('Welcome to Teduh');
    setLocale('id');
    expect(t('home.title')).toBe(id['home.title']);
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    setLocale('en');
    expect(t('server.online', { url: 'http://x', version: '1.2.3' })).toBe(
      'Connected: http://x (server version 1.2.3)',
    );
    expect(t('server.online', { url: 'http://x' })).toContain('{version}');
    setLocale('id');
  });

  it('has an English text for every Indonesian key, none empty', () => {
    for (const key of Object.keys(id) as (keyof typeof id)[]) {
      expect(en[key], key).toBeTruthy();
      expect(id[key], key).toBeTruthy();
    }
  });

  it('has a sentence in both languages for every code the core can send', () => {
    const union = codeSource.split('export type Code =')[1] ?? '';
    const codes = [...union.matchAll(/"(\w+)"/g)].map((m) => m[1]);
    expect(codes.length, 'codes parsed from the generated Code.ts').toBeGreaterThan(30);
    for (const code of codes) {
      const key = `error.${code}`;
      expect((id as Record<string, string>)[key], `Indonesian ${key}`).toBeTruthy();
      expect((en as Record<string, string>)[key], `English ${key}`).toBeTruthy();
      expect((en as Record<string, string>)[key]).not.toBe((id as Record<string, string>)[key]);
    }
  });

  it('recognises only the supported locales', () => {
    expect(isLocale('id')).toBe(true);
    expect(isLocale('en')).toBe(true);
    expect(isLocale('fr')).toBe(false);
  });
});
