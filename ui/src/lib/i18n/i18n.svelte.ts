// Current locale as Svelte 5 state: every `t()` call in a template re-renders on a switch.
import { catalogues, locales, type ErrorCode, type Locale, type MessageKey } from './catalogue';

let current = $state<Locale>('id');

export function locale(): Locale {
  return current;
}

export function setLocale(next: Locale): void {
  current = next;
  if (typeof document !== 'undefined') document.documentElement.lang = next;
}

export function isLocale(value: string): value is Locale {
  return (locales as readonly string[]).includes(value);
}

/**
 * Translates `key` in the current locale, replacing `{name}` placeholders from `params`. A
 * `{name:one|other}` placeholder picks a word by number ("1 client", "2 clients"); Indonesian
 * needs none, English does.
 */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template: string | undefined = (catalogues[current] as Record<string, string>)[key];
  if (template === undefined) return key;
  return template.replace(/\{(\w+)(?::([^|}]*)\|([^}]*))?\}/g, (whole, name: string, one?: string, other?: string) => {
    if (!(name in params)) return whole;
    if (one === undefined || other === undefined) return String(params[name]);
    return Number(params[name]) === 1 ? one : other;
  });
}

/** What to tell the user about a failure, in the current locale. */
export function errorMessage(code: ErrorCode): string {
  return t(`error.${code}`);
}
