// A review carries no zone of its own: its time is shown in the team's zone, with the label.
import { afterEach, describe, expect, it } from 'vitest';
import { render } from '../lib/testing/render';
import { team } from './team.svelte';
import ReviewHistory from './ReviewHistory.svelte';
import type { NoteReviews } from '../lib/backend';

afterEach(() => {
  team.view = null;
});

const history: NoteReviews = {
  state: 'approved',
  reviews: [{ id: 'r1', note: 'n1', action: 'approve', comment: '', reviewer: 'm-sup', at: '2026-10-17T06:05:00Z' }],
};

describe('the review history', () => {
  it('shows when a review was given in the team\'s zone (a team in Makassar reads WITA)', () => {
    team.view = { me: 'm-sup', role: 'supervisor', supervises: true, zone: 'WITA', members: [
      { id: 'm-sup', username: 'sup.ani', role: 'supervisor', removed: false },
    ] } as never;
    const r = render(ReviewHistory, { history });
    expect(r.q('review-entry')?.textContent).toContain('17/10/2026 14.05 WITA');
    r.destroy();
  });

  it('shows it in WIB when working alone', () => {
    const r = render(ReviewHistory, { history });
    expect(r.q('review-entry')?.textContent).toContain('17/10/2026 13.05 WIB');
    r.destroy();
  });
});
