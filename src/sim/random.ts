/**
 * Seeded randomness for the simulated cloud: the same seed gives the same pulls, names and uids, so a run can be
 * replayed exactly (DESIGN.md decision 2: no randomness unless seeded).
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** mulberry32: small, fast and good enough for simulated delays; a float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (both inclusive). */
  between(min: number, max: number): number {
    if (max <= min) return Math.round(min);
    return Math.floor(min + this.next() * (max - min + 1));
  }

  /** Kubernetes-style random name suffix (its alphabet leaves out vowels and look-alike characters). */
  suffix(length = 5): string {
    let out = '';
    for (let i = 0; i < length; i++) out += SUFFIX_ALPHABET[Math.floor(this.next() * SUFFIX_ALPHABET.length)];
    return out;
  }

  /** A version-4-shaped UUID drawn from this generator. */
  uuid(): string {
    let hex = '';
    for (let i = 0; i < 4; i++)
      hex += Math.floor(this.next() * 4294967296)
        .toString(16)
        .padStart(8, '0');
    const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
    // join gives one flat string: a template literal of seven pieces is a tree of cons strings (about 430 bytes
    // against 100 held per uid), and every simulated object and pod keeps its uid for as long as it lives.
    return [
      hex.slice(0, 8),
      hex.slice(8, 12),
      `4${hex.slice(13, 16)}`,
      `${variant}${hex.slice(17, 20)}`,
      hex.slice(20, 32),
    ].join('-');
  }
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1a, 32 bits: derives independent seeds from names, so adding a cluster does not disturb the others' draws. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
