import { describe, expect, it } from 'vitest';
import { answerInput, enteredLate, newAnswerForm, newRequestForm, requestInput } from './requests';

describe('requestInput', () => {
  it('turns the receipt typed in the team zone into the instant the deadline runs from', () => {
    const form = { ...newRequestForm(), date: '07/12/2026', time: '09.30', identity: 'identity_card' as const, details: ' salinan ' };
    expect(requestInput(form, 'Asia/Makassar')).toEqual({
      kind: 'access', requester: 'person', requester_name: '', received_via: 'in_person',
      received_at: '2026-12-07T01:30:00Z', identity: 'identity_card', details: 'salinan', handler: null,
    });
  });

  it('asks for the receipt time and, for a parent or guardian, her name', () => {
    expect(requestInput({ ...newRequestForm(), date: '31/02/2026', time: '09.00' }, 'Asia/Jakarta')).toEqual({ problem: 'request.badTime' });
    expect(requestInput({ ...newRequestForm(), date: '07/12/2026', time: '' }, 'Asia/Jakarta')).toEqual({ problem: 'request.badTime' });
    const guardian = { ...newRequestForm(), date: '07/12/2026', time: '09.00', requester: 'guardian' as const };
    expect(requestInput(guardian, 'Asia/Jakarta')).toEqual({ problem: 'request.nameNeeded' });
    const named = requestInput({ ...guardian, requesterName: ' Wali Sintetis ' }, 'Asia/Jakarta');
    expect(named).toMatchObject({ requester: 'guardian', requester_name: 'Wali Sintetis' });
  });
});

describe('answerInput', () => {
  const now = new Date('2026-12-07T05:00:00Z');
  it('needs words, and grounds exactly when something is refused', () => {
    expect(answerInput(newAnswerForm(), now)).toEqual({ problem: 'request.answerTextNeeded' });
    expect(answerInput({ outcome: 'refused', text: 'Ditolak.', grounds: [] }, now)).toEqual({ problem: 'request.groundsNeeded' });
    expect(answerInput({ outcome: 'partly_granted', text: 'Sebagian.', grounds: ['reveals_others_data'] }, now)).toEqual({
      answered_at: '2026-12-07T05:00:00.000Z', outcome: 'partly_granted', text: 'Sebagian.', grounds: ['reveals_others_data'],
    });
    // Grounds ticked and then the decision changed to "granted" are not sent.
    expect(answerInput({ outcome: 'granted', text: 'Diberikan.', grounds: ['national_defence'] }, now)).toMatchObject({ grounds: [] });
  });
});

describe('enteredLate', () => {
  it('marks an entry more than an hour after the receipt', () => {
    expect(enteredLate('2026-12-05T02:00:00Z', '2026-12-07T02:00:00Z')).toBe(true);
    expect(enteredLate('2026-12-07T02:00:00Z', '2026-12-07T02:30:00Z')).toBe(false);
    expect(enteredLate(null, '2026-12-07T02:30:00Z')).toBe(false);
  });
});
