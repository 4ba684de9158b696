import { describe, expect, it } from 'vitest';
import { draftFromForm, formFromDraft, markThirdParty, newNoteForm, zoneOfTeam } from './draft';

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

describe('markThirdParty', () => {
  it('wraps the selection in [[ ]] and keeps it selected inside the mark', () => {
    const text = 'Klien bercerita. Tetangganya juga dipukul. Rencana: kontrol.';
    const start = text.indexOf('Tetangganya');
    const end = text.indexOf(' Rencana');
    expect(markThirdParty(text, start, end)).toEqual({
      text: 'Klien bercerita. [[Tetangganya juga dipukul.]] Rencana: kontrol.',
      start: start + 2,
      end: end + 2,
    });
    // A selection made backwards is the same selection.
    expect(markThirdParty(text, end, start).text).toBe(markThirdParty(text, start, end).text);
  });

  it('gives an empty mark to type into, and never marks a marked passage twice', () => {
    expect(markThirdParty('abc', 1, 1)).toEqual({ text: 'a[[]]bc', start: 3, end: 3 });
    const marked = 'x [[rahasia orang lain]] y';
    const inside = marked.indexOf('orang');
    expect(markThirdParty(marked, inside, inside + 5)).toEqual({ text: marked, start: inside, end: inside + 5 });
  });
});
