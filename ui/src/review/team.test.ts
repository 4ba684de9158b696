import { afterEach, describe, expect, it } from 'vitest';
import { shownZone, team } from './team.svelte';

afterEach(() => {
  team.view = null;
});

describe('the zone times are shown in', () => {
  it('is the record\'s own zone, else the team\'s, else WIB when working alone', () => {
    expect(shownZone(), 'no team').toBe('Asia/Jakarta');
    expect(shownZone('Asia/Jayapura'), 'a note carries its zone').toBe('Asia/Jayapura');
    team.view = { me: 'm1', role: 'counselor', supervises: false, members: [], zone: 'WITA' } as never;
    expect(shownZone(), 'a review, a screening: the team\'s').toBe('Asia/Makassar');
    expect(shownZone(null)).toBe('Asia/Makassar');
    expect(shownZone('Asia/Jakarta'), 'the record\'s own zone wins').toBe('Asia/Jakarta');
  });
});
