import { afterEach, describe, expect, it, vi } from 'vitest';
import { banner, bannerOn, clearBanner, showBanner } from './banner.svelte';
import { reveal } from './reveal';

afterEach(() => clearBanner());

describe('the error banner', () => {
  it('belongs to the screen it came from', () => {
    showBanner('InvalidInput', 'newClient');
    expect(bannerOn('newClient')).toBe('InvalidInput');
    expect(bannerOn('today'), 'not carried to another screen').toBeNull();
  });

  it('clears when the input or the screen changes', () => {
    showBanner('DuplicateCode', 'newClient');
    clearBanner();
    expect(bannerOn('newClient')).toBeNull();
    expect(banner.code).toBeNull();
  });
});

describe('reveal', () => {
  it('scrolls what appeared into view and focuses its first field', () => {
    const box = document.createElement('div');
    box.innerHTML = '<p>Lanjutkan?</p><button type="button">Ya</button>';
    document.body.append(box);
    const scroll = vi.fn();
    box.scrollIntoView = scroll;
    reveal(box, true);
    expect(scroll).toHaveBeenCalled();
    expect(document.activeElement?.textContent).toBe('Ya');
    box.remove();
  });

  it('focuses a message itself (made focusable) when it has no field', () => {
    const msg = document.createElement('p');
    msg.textContent = 'Frasa sandi terlalu lemah.';
    document.body.append(msg);
    msg.scrollIntoView = vi.fn();
    reveal(msg);
    expect(document.activeElement).toBe(msg);
    msg.remove();
  });
});
