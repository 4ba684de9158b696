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
