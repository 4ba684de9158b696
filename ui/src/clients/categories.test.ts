import { describe, expect, it } from 'vitest';
import { AMPK, PPKS, categoryChoices } from './categories';

describe('the client categories', () => {
  it('are the 26 PPKS and the 15 AMPK groups, each with a unique code and both languages', () => {
    expect(PPKS).toHaveLength(26);
    expect(AMPK).toHaveLength(15);
    for (const list of [PPKS, AMPK]) {
      expect(new Set(list.map((c) => c.code)).size).toBe(list.length);
      expect(list.every((c) => c.id.trim() !== '' && c.en.trim() !== '' && /^[a-z0-9-]+$/.test(c.code))).toBe(true);
    }
  });

  it('keep a code the list does not know, shown as it is', () => {
    const choices = categoryChoices(PPKS, ['anak-jalanan', 'korban kekerasan'], 'id');
    expect(choices).toHaveLength(27);
    expect(choices.at(-1)).toEqual({ code: 'korban kekerasan', label: 'korban kekerasan' });
    expect(categoryChoices(PPKS, [], 'en')[0]?.label).toBe('Neglected child under five');
  });
});
