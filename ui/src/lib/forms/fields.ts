// A form's errors belong beside the field they concern (issue #19): the field is marked invalid
// and names its message, which a screen reader reads with it. Errors without a field (network,
// permission, storage) stay in the screen's banner.
import { tick } from 'svelte';
import type { ErrorCode, MessageKey } from '../i18n/catalogue';

/** Each field's error, as the catalogue key of the sentence to show beside it. */
export type FieldErrors<F extends string> = Partial<Record<F, MessageKey>>;

/** The id of the message shown beside the input whose id is `inputId`. */
export function messageId(inputId: string): string {
  return `${inputId}-error`;
}

/** The attributes an input (select, fieldset) takes: invalid and described by its message while
 * `error` is set, nothing otherwise. */
export function invalidWhen(inputId: string, error: MessageKey | null | undefined): { 'aria-invalid'?: 'true'; 'aria-describedby'?: string } {
  return error ? { 'aria-invalid': 'true', 'aria-describedby': messageId(inputId) } : {};
}

/** The errors still shown after an edit: those the edit resolved go (`now` is the form checked
 * again), and so does the one of the field she is typing in, `edited`, while she corrects it. */
export function afterEdit<F extends string>(shown: FieldErrors<F>, now: FieldErrors<F>, edited?: F): FieldErrors<F> {
  const kept: FieldErrors<F> = {};
  for (const key of Object.keys(shown) as F[]) {
    if (key !== edited && now[key] !== undefined) kept[key] = now[key];
  }
  return kept;
}

/** A refusal (the core's code, or the form's own check) placed beside its field: `fields` lists
 * the codes of this form that always concern one field (e.g. `DuplicateCode` the client code).
 * Null for any other code, which is shown for the form or the screen as a whole. */
export function codeBeside<F extends string>(code: ErrorCode, fields: Partial<Record<ErrorCode, F>>): FieldErrors<F> | null {
  const field = fields[code];
  if (field === undefined) return null;
  const errors: FieldErrors<F> = {};
  errors[field] = `error.${code}`;
  return errors;
}

/** After a refused submit: the first marked field inside `form` is scrolled into view and
 * focused, so that she sees it and a screen reader reads its message with it. */
export async function focusFirstInvalid(form: HTMLElement | undefined): Promise<void> {
  await tick();
  const field = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  field?.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
  field?.focus({ preventScroll: true });
}
