import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import NoteEditor from './NoteEditor.svelte';
import { team } from '../review/team.svelte';
import { errorBeside, press, render, settle, stubScrolling, typeInto } from '../lib/testing/render';
import type { Note, NoteReviews } from '../lib/backend';

const ME = 'm-budi';
const SUP = 'm-ani';

function note(over: Partial<Note> = {}): Note {
  return {
    id: 'n1',
    client: 'c1',
    author: ME,
    status: { status: 'finalised', finalised_at: '2026-10-17T07:05:00Z' },
    content: {
      occurred_at: '2026-10-17T07:00:00Z', zone: 'Asia/Jakarta', duration_minutes: 60, modality: 'in_person',
      location: '', participants: [], pfa_look: [], pfa_listen: [], pfa_link: [], mhpss_layer: null, risk: null,
      narrative: 'Sesi pertama.', plan: '', next_follow_up: null,
    },
    addenda: [{ id: 'a1', addendum: { text: 'Rencana keselamatan disusun.', written_at: '2026-10-18T02:30:00Z', author: ME } }],
    ...over,
  } as unknown as Note;
}

const returned: NoteReviews = {
  state: 'returned',
  reviews: [{ id: 'r1', note: 'n1', action: 'return', comment: 'Mohon tambahkan rencana keselamatan.', reviewer: SUP, at: '2026-10-17T09:00:00Z' }],
};

beforeEach(() => {
  stubScrolling();
  team.view = { me: ME, role: 'counselor', supervises: false, members: [
    { id: ME, username: 'kons.budi', role: 'counselor', removed: false },
    { id: SUP, username: 'sup.ani', role: 'supervisor', removed: false },
  ] } as never;
});
afterEach(() => {
  clearMocks();
  team.view = null;
});

const noop = (): void => {};

describe('the note editor', () => {
  it('opens a returned note with the supervisor\'s comment and the returned state before the form', async () => {
    mockIPC((cmd) => {
      if (cmd === 'note_reviews') return returned;
      if (cmd === 'revisions_list') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(NoteEditor, { client: 'c1', note: note(), onChanged: noop, onClose: noop, onError: noop });
    await settle();
    const comment = r.q('review-comment');
    const form = r.target.querySelector('fieldset');
    expect(comment?.textContent).toBe('Mohon tambahkan rencana keselamatan.');
    expect(r.q('review-state')?.textContent).toBe('Dikembalikan: perlu adendum');
    expect(form && comment && (comment.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING), 'the comment comes before the form').toBeTruthy();
    expect(r.all('review-history')).toHaveLength(1);
    r.destroy();
  });

  it('shows who added each addendum and when', async () => {
    mockIPC((cmd) => {
      if (cmd === 'note_reviews') return { state: 'waiting', reviews: [] };
      if (cmd === 'revisions_list') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(NoteEditor, { client: 'c1', note: note(), onChanged: noop, onClose: noop, onError: noop });
    await settle();
    expect(r.q('addendum-by')?.textContent).toBe('perangkat ini · 18/10/2026 09.30 WIB');
    r.destroy();
  });

  it('shows an addendum\'s time in the team\'s zone, the session in its own', async () => {
    team.view = { ...(team.view as object), zone: 'WIT' } as never;
    mockIPC((cmd) => {
      if (cmd === 'note_reviews') return { state: 'waiting', reviews: [] };
      if (cmd === 'revisions_list') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(NoteEditor, { client: 'c1', note: note(), onChanged: noop, onClose: noop, onError: noop });
    await settle();
    expect(r.q('addendum-by')?.textContent, 'a team in Papua').toBe('perangkat ini · 18/10/2026 11.30 WIT');
    expect((r.q('note-time') as HTMLInputElement | null)?.value, 'the session keeps its WIB time').toBe('14.00');
    r.destroy();
  });

  it('does not show "Menunggu tinjauan" to a worker with no team', async () => {
    team.view = { me: ME, role: null, supervises: false, members: [] } as never;
    mockIPC((cmd) => {
      if (cmd === 'note_reviews') return { state: 'waiting', reviews: [] };
      if (cmd === 'revisions_list') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const r = render(NoteEditor, { client: 'c1', note: note(), onChanged: noop, onClose: noop, onError: noop });
    await settle();
    expect(r.q('review-history')).toBeNull();
    expect(r.target.textContent).not.toContain('Menunggu tinjauan');
    r.destroy();
  });

  it('brings the finalise confirmation into view and focuses its button', async () => {
    mockIPC((cmd) => {
      if (cmd === 'revisions_list') return [];
      throw new Error(`unexpected ${cmd}`);
    });
    const draft = note({ status: { status: 'draft' } as never, addenda: [] });
    const r = render(NoteEditor, { client: 'c1', note: draft, onChanged: noop, onClose: noop, onError: noop });
    await settle();
    let scrolled: Element | null = null;
    Element.prototype.scrollIntoView = function (this: Element): void { scrolled = this; };
    r.q('note-finalise')?.click();
    await settle();
    const box = r.q('note-finalise-confirmation');
    expect(scrolled).toBe(box);
    expect(document.activeElement).toBe(r.q('note-finalise-confirm'));
    r.destroy();
  });

  it('puts "risk not assessed" beside the risk field and focuses it when the client has an open risk episode', async () => {
    const errors: string[] = [];
    mockIPC((cmd) => {
      if (cmd === 'revisions_list') return [];
      if (cmd === 'note_finalise') throw { code: 'RiskNotAssessed', message: 'the client has an open risk episode' };
      throw new Error(`unexpected ${cmd}`);
    });
    const draft = note({ status: { status: 'draft' } as never, addenda: [] });
    const r = render(NoteEditor, { client: 'c1', note: draft, onChanged: noop, onClose: noop, onError: (c) => errors.push(c) });
    await settle();
    r.q('note-finalise')?.click();
    await settle();
    r.q('note-finalise-confirm')?.click();
    await settle();
    const risk = r.q('note-risk');
    expect(errorBeside(risk)).toBe('Klien ini sedang dalam episode risiko. Nilai risiko di catatan ini sebelum memfinalkannya.');
    expect(document.activeElement).toBe(risk);
    expect(errors, 'not repeated in the banner').toEqual([]);
    expect(r.q('note-editor')?.dataset.state).toBe('draft');
    r.destroy();
  });
});

describe('third-party passages', () => {
  it('marks the selected words of a draft and saves them marked', async () => {
    const saved: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'note_save_draft') {
        saved.push((args as { draft: { narrative: string } }).draft.narrative);
        return 'n9';
      }
      if (cmd === 'note_reviews') return { state: 'draft', reviews: [] };
      if (cmd === 'revisions_list') return [];
      return null;
    });
    const r = render(NoteEditor, { client: 'c1', note: null, onChanged: noop, onClose: noop, onError: noop });
    await settle();
    const area = r.q('note-narrative') as HTMLTextAreaElement;
    typeInto(area, 'Klien aman. Adiknya dipukul ayah.');
    area.setSelectionRange(12, 33);
    press(r.q('note-mark-third-party'));
    expect(area.value).toBe('Klien aman. [[Adiknya dipukul ayah.]]');
    await new Promise((done) => setTimeout(done, 500));
    await settle();
    expect(saved.at(-1)).toBe('Klien aman. [[Adiknya dipukul ayah.]]');
    r.destroy();
  });
});
