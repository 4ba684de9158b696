import { describe, expect, it } from 'vitest';
import type { ConflictRevision, NoteDraft } from '../lib/backend';
import { id as idCatalogue } from '../lib/i18n/catalogue';
import { draftWithRevision, fieldLabelKey, revisionKey, revisionSource, revisionText } from './revisions';
import { draftFromForm, newNoteForm } from '../notes/draft';

function revision(over: Partial<ConflictRevision> = {}): ConflictRevision {
  return {
    field: 'narrative',
    value: 'Versi dari laptop kedua.',
    current_value: 'Versi dari laptop pertama.',
    written_at: '2022-10-17T03:05:00Z',
    device: '00000000000000000000000000000007',
    seq: 12,
    device_number: 7,
    author: 'kons.ani',
    this_device: false,
    ...over,
  };
}

describe('conflict revisions', () => {
  it('says who wrote the other version: a member and her device, a device, or this one', () => {
    expect(revisionSource(revision())).toEqual({ key: 'revisions.byMember', params: { author: 'kons.ani', device: '#7' } });
    expect(revisionSource(revision({ author: null }))).toEqual({ key: 'revisions.byDevice', params: { device: '#7' } });
    expect(revisionSource(revision({ this_device: true })).key).toBe('revisions.byThisDevice');
    expect(revisionSource(revision({ author: null, device_number: null, device: 'abcdef0123456789abcdef0123456789' })).params.device)
      .toBe('456789');
  });

  it('reads values as a counselor would: dates as dd/MM/yyyy, instants in WIB, lists joined, empty as a dash', () => {
    expect(revisionText('teks')).toBe('teks');
    expect(revisionText('')).toBe('—');
    expect(revisionText(null)).toBe('—');
    expect(revisionText('2022-10-24')).toBe('24/10/2022');
    expect(revisionText('2022-10-17T03:05:00Z')).toBe('17/10/2022 10.05 WIB');
    expect(revisionText('2022-10-17T03:05:00Z', 'Asia/Jayapura')).toBe('17/10/2022 12.05 WIT');
    expect(revisionText(['klien', 'ibu'])).toBe('klien, ibu');
    expect(revisionText(45)).toBe('45');
    expect(revisionText({ name: 'Bu Sari', relationship: 'ibu', contacts: [] })).toBe('Bu Sari, ibu');
  });

  it('names every field of a note and of a client profile with a catalogue label', () => {
    const draft = draftFromForm(newNoteForm(new Date('2022-10-17T03:00:00Z')));
    for (const field of Object.keys(draft)) {
      const key = fieldLabelKey(field);
      expect(key, field).not.toBeNull();
      expect(idCatalogue[key!], field).toBeTruthy();
    }
    expect(fieldLabelKey('address')).toBe('client.address');
    expect(fieldLabelKey('something_new')).toBeNull();
  });

  it('puts a taken-over version into the note draft and leaves the other fields alone', () => {
    const draft: NoteDraft = { ...draftFromForm(newNoteForm(new Date('2022-10-17T03:00:00Z'))), narrative: 'lama', plan: 'rencana' };
    const next = draftWithRevision(draft, 'narrative', 'baru');
    expect(next.narrative).toBe('baru');
    expect(next.plan).toBe('rencana');
    expect(draft.narrative, 'the original is not changed').toBe('lama');
    expect(draftWithRevision(draft, 'author', 'x'), 'fields outside the draft are ignored').toEqual(draft);
  });

  it('keys a version by field, device and sequence', () => {
    expect(revisionKey(revision())).toBe('narrative/00000000000000000000000000000007/12');
  });
});
