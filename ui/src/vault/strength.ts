// A passphrase strength estimate (0-4). Deliberately simple and explainable: length dominates,
// several words or character classes help, repeated characters and short inputs do not.

export const MIN_LENGTH = 12;

export function passphraseStrength(p: string): 0 | 1 | 2 | 3 | 4 {
  if (p.length < 8) return 0;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9\s]/].filter((r) => r.test(p)).length;
  const words = p.trim().split(/\s+/).filter((w) => w.length >= 3).length;
  const distinct = new Set(p).size;
  // Rough bits of entropy: per-character pool size, discounted for little variety.
  const pool = 10 + classes * 16 + (words >= 3 ? 20 : 0);
  let bits = Math.log2(pool) * Math.min(p.length, distinct * 2);
  if (words >= 4) bits += 10;
  if (bits < 40) return 1;
  if (bits < 60) return 2;
  if (bits < 80) return 3;
  return 4;
}

/** Acceptable for a vault key: long enough and at least "fair". */
export function isAcceptable(p: string): boolean {
  return p.length >= MIN_LENGTH && passphraseStrength(p) >= 2;
}
