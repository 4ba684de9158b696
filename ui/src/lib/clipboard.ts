// Copying a number to the clipboard, for the directory's cards and the emergency panel.

/** Copies `text`; older WebKit without the async clipboard falls back to a hidden field. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const field = document.createElement('textarea');
    field.value = text;
    document.body.appendChild(field);
    field.select();
    document.execCommand('copy');
    field.remove();
  }
}
