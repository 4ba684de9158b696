// Erasure by crypto-shredding (issue 26, UU PDP Ps 43-44) as the screens show it. Pure, so each
// rule is unit-tested; the core checks the same rules again (a key manager approves, an open
// erasure request, her identity checked) and is what counts.
import type { ErasureDevice, ErasureView, IdentityCheck, RequestKind } from '../lib/backend';

/**
 * Whether an erasure can be approved for this request: `ready` for an open erasure request
 * whose identity check is recorded, `identity` while it is not (nothing is erased before), `no`
 * for any other request.
 */
export function erasable(r: { request: { kind: RequestKind; identity: IdentityCheck }; answer: unknown }): 'ready' | 'identity' | 'no' {
  if (r.answer || r.request.kind !== 'erasure') return 'no';
  return r.request.identity === 'not_yet' ? 'identity' : 'ready';
}

/** Whether every device that can confirm has. */
export function complete(e: Pick<ErasureView, 'confirmed' | 'expected'>): boolean {
  return e.confirmed >= e.expected;
}

/** The devices still to confirm, then the unreachable ones, then those that did. */
export function byState(devices: ErasureDevice[]): ErasureDevice[] {
  const order = { waiting: 0, unreachable: 1, confirmed: 2 } as const;
  return [...devices].sort((a, b) => order[a.state] - order[b.state] || a.device - b.device);
}

/** At most `max` codes joined, and how many more there are (a retention erasure names many). */
export function shownCodes(codes: string[], max = 3): { codes: string; rest: number } {
  return { codes: codes.slice(0, max).join(', '), rest: Math.max(0, codes.length - max) };
}
