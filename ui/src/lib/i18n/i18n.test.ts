import { describe, expect, it } from 'vitest';
import { en, id } from './catalogue';
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

  it('recognises only the supported locales', () => {
    expect(isLocale('id')).toBe(true);
    expect(isLocale('en')).toBe(true);
    expect(isLocale('fr')).toBe(false);
  });
});
