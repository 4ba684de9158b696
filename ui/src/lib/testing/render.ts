// Component tests: mount a Svelte component in jsdom and wait until its IPC calls have answered.
import { flushSync, mount, tick, unmount, type Component } from 'svelte';

export type Rendered = { target: HTMLElement; q: (testid: string) => HTMLElement | null; all: (testid: string) => HTMLElement[]; destroy: () => void };

export function render<P extends Record<string, unknown>>(component: Component<P>, props: P): Rendered {
  const target = document.createElement('div');
  document.body.append(target);
  const instance = mount(component, { target, props });
  flushSync();
  return {
    target,
    q: (id) => target.querySelector<HTMLElement>(`[data-testid="${id}"]`),
    all: (id) => [...target.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)],
    destroy: () => {
      void unmount(instance);
      target.remove();
    },
  };
}

/** Lets pending promises (mocked IPC answers) and the updates they cause run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise((r) => setTimeout(r, 0));
    await tick();
  }
  flushSync();
}

/** jsdom has no layout: scrolling is a no-op that tests can watch, and nothing resizes. */
export function stubScrolling(): void {
  Element.prototype.scrollIntoView = function scrollIntoView(): void {};
  globalThis.ResizeObserver ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  } as unknown as typeof ResizeObserver;
}

/** Types `value` into an input or textarea as a person would (one `input` event). */
export function typeInto(field: HTMLElement | null, value: string): void {
  if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) throw new Error('no such text field');
  field.value = value;
  field.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

/** Chooses `value` in a select, or sets a checkbox or radio button (one `change` event). */
export function choose(field: HTMLElement | null, value: string | boolean): void {
  if (field instanceof HTMLSelectElement && typeof value === 'string') field.value = value;
  else if (field instanceof HTMLInputElement && typeof value === 'boolean') field.checked = value;
  else throw new Error('no such select or checkbox');
  field.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

/**
 * The error a person sees beside `field`: the message its `aria-describedby` names, when the field
 * is marked `aria-invalid` and the message is an alert in the same field (its label or fieldset,
 * or the element around it). Null when the field shows no error.
 */
export function errorBeside(field: HTMLElement | null): string | null {
  if (!field) throw new Error('no such field');
  if (field.getAttribute('aria-invalid') !== 'true') return null;
  const around = field.closest('label, fieldset') ?? field.parentElement;
  const messages = (field.getAttribute('aria-describedby') ?? '')
    .split(/\s+/)
    .map((id) => (id ? document.getElementById(id) : null))
    .filter((m): m is HTMLElement => m !== null && m.getAttribute('role') === 'alert' && !!around?.contains(m));
  return messages.length > 0 ? messages.map((m) => m.textContent ?? '').join(' ') : null;
}

/** Clicks as a person would and lets the screen update. */
export function press(target: HTMLElement | null): void {
  if (!target) throw new Error('nothing to press');
  target.click();
  flushSync();
}
