import { describe, expect, it } from 'vitest';
import type { ErasureDevice } from '../lib/backend';
import { byState, complete, erasable } from './erasures';

const request = (kind: 'erasure' | 'access', identity: 'not_yet' | 'identity_card', answer: unknown = null) => ({
  request: { kind, identity },
  answer,
});

describe('erasure rules', () => {
  it('approves only an open erasure request whose requester was identified', () => {
    expect(erasable(request('erasure', 'identity_card'))).toBe('ready');
    expect(erasable(request('erasure', 'not_yet'))).toBe('identity');
    expect(erasable(request('access', 'identity_card'))).toBe('no');
    expect(erasable(request('erasure', 'identity_card', { outcome: 'refused' }))).toBe('no');
  });

  it('is complete when every reachable device confirmed', () => {
    expect(complete({ confirmed: 3, expected: 5 })).toBe(false);
    expect(complete({ confirmed: 5, expected: 5 })).toBe(true);
  });

  it('lists the devices still waiting first', () => {
    const d = (device: number, state: ErasureDevice['state']): ErasureDevice => ({ device, username: null, state, confirmed_at: null });
    expect(byState([d(1, 'confirmed'), d(2, 'unreachable'), d(3, 'waiting'), d(0, 'waiting')]).map((x) => x.device)).toEqual([0, 3, 2, 1]);
  });
});
