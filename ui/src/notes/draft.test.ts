import { describe, expect, it } from 'vitest';
import { draftFromForm, formFromDraft, newNoteForm, zoneOfTeam } from './draft';

describe('note form', () => {
  it('round-trips through the core draft without losing a field', () => {
    const f = {
      ...newNoteForm(new Date('2022-10-17T03:00:00Z'), 'Asia/Makassar'),
      narrative: 'Klien bercerita tentang tidur yang terganggu.',
      pfaLook: ['safety'],
      risk: 'medium' as const,
      nextFollowUp: '24/10/2022',
      participants: 'klien, ibu',
    };
    expect(f.date).toBe('17/10/2022');
    expect(f.time).toBe('11.00');
    const d = draftFromForm(f);
    expect(d.occurred_at).toBe('2022-10-17T03:00:00Z');
    expect(d.participants).toEqual(['klien', 'ibu']);
    expect(d.next_follow_up).toBe('2022-10-24');
    expect(formFromDraft(d)).toEqual(f);
  });

  it('never blocks saving text because a date is still half typed', () => {
    const f = { ...newNoteForm(new Date()), date: '17/1', narrative: 'teks' };
    const d = draftFromForm(f);
    expect(d.occurred_at).toBeNull();
    expect(d.narrative).toBe('teks');
  });
});

describe('a new note', () => {
  it('starts in the team\'s zone', () => {
    expect(zoneOfTeam('WITA')).toBe('Asia/Makassar');
    expect(zoneOfTeam('WIT')).toBe('Asia/Jayapura');
    expect(zoneOfTeam('WIB')).toBe('Asia/Jakarta');
    expect(zoneOfTeam(null), 'no team yet').toBe('Asia/Jakarta');
    const f = newNoteForm(new Date('2026-12-05T16:30:00Z'), zoneOfTeam('WITA'));
    expect([f.zone, f.date, f.time], 'the time as it is in Makassar').toEqual(['Asia/Makassar', '06/12/2026', '00.30']);
  });
});
