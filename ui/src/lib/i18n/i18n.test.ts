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

  it('counts in English with the right plural, and leaves Indonesian as it is', () => {
    setLocale('en');
    expect(t('clients.count', { count: 1 })).toBe('1 client');
    expect(t('clients.count', { count: 2 })).toBe('2 clients');
    expect(t('tasks.done', { count: 1 })).toBe('1 task done');
    expect(t('dashboard.clients', { count: 1 })).toBe('1 client');
    expect(t('review.waitingDays', { days: 1 })).toBe('1 day');
    setLocale('id');
    expect(t('clients.count', { count: 1 })).toBe('1 klien');
  });
});

describe('the words of the everyday screens (issue #19)', () => {
  const idText = Object.values(id).join('\n');
  it('names risk levels as levels, not as urgency', () => {
    expect(id['note.risk.imminent']).toBe('Sangat tinggi (bahaya segera)');
  });

  it('says MHPSS, "Cukup berat", "tinjauan", and no English glosses in Indonesian', () => {
    expect(idText).not.toMatch(/DKJPS|sedang-berat|reviu|\((look|listen|link)\)/i);
    expect(id['note.mhpss']).toContain('MHPSS');
    expect(id['screening.band.moderately_severe']).toBe('Cukup berat');
  });

  it('does not use "Cara" for both the modality and the consent channel', () => {
    expect(id['note.modality']).not.toBe(id['consent.channel']);
  });

  it('names self-harm as well as thoughts of ending one\'s life in the red-flag text', () => {
    for (const text of [id['screening.redFlag'], id['screening.redFlagNoTeam']]) {
      expect(text).toMatch(/menyakiti diri/);
      expect(text).toMatch(/mengakhiri hidup/);
    }
    expect(en['screening.redFlag']).toMatch(/self-harm/);
  });

  it('does not start the red-flag sentence with the red-flag label it is shown under', () => {
    for (const cat of [id, en]) {
      expect(cat['screening.redFlag'].toLowerCase().startsWith(cat['profile.redFlag'].toLowerCase())).toBe(false);
    }
  });

  it('closes a screening with its own words, not the note\'s', () => {
    expect(id['screening.close']).not.toBe(id['note.close']);
    expect(id['screening.close']).toMatch(/skrining/);
  });
});
