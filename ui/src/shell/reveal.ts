// What appears in response to an action (a new editor, a confirmation, an error) is brought into
// view and given the focus, so that nobody has to look for it below the fold.

const FOCUSABLE = 'input:not([disabled]), textarea:not([disabled]), select:not([disabled]), button:not([disabled]), [tabindex]';

/**
 * Scrolls `node` into view and focuses it; with `focus` true, its first field or button, or
 * with a selector, the element inside that matches it (when that cannot take the focus, e.g. a
 * disabled field, the node itself). A Svelte action: `<div use:reveal>` runs when it appears.
 */
export function reveal(node: HTMLElement, focus: boolean | string = false): void {
  node.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  const selector = focus === true ? FOCUSABLE : focus || null;
  const target = selector ? node.querySelector<HTMLElement>(selector) : null;
  target?.focus({ preventScroll: true });
  if (target && document.activeElement === target) return;
  if (!node.hasAttribute('tabindex')) node.setAttribute('tabindex', '-1');
  node.focus({ preventScroll: true });
}
