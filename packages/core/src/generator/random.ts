/** The seeded dice every generator choice goes through, so one seed always replays the same outage. */
import { type RandomGenerator, xoroshiro128plus } from "pure-rand";

export class SeededRandom {
  private readonly generator: RandomGenerator;

  /** `salt` separates independent streams that share a seed. */
  constructor(seed: number, salt = "") {
    // xoroshiro's first outputs for small neighbouring seeds are nearly equal; scramble the seed and warm up
    // so seed 1 and seed 2 tell different stories from the first choice on.
    this.generator = xoroshiro128plus(scramble(seed ^ hashSalt(salt)));
    for (let i = 0; i < 4; i++) this.generator.unsafeNext();
  }

  /** Uniform in [0, 1). */
  next(): number {
    return (this.generator.unsafeNext() >>> 0) / 4_294_967_296;
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One element of a non-empty list; throws on an empty one because every caller checks first. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError("cannot pick from an empty list");
    return item;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const a = copy[i] as T;
      copy[i] = copy[j] as T;
      copy[j] = a;
    }
    return copy;
  }

  /** A value rounded to `digits` decimals, so payloads read like real telemetry. */
  round(min: number, max: number, digits = 1): number {
    const factor = 10 ** digits;
    return Math.round(this.between(min, max) * factor) / factor;
  }
}

/** murmur3's 32-bit finalizer over the golden-ratio-offset seed. */
function scramble(seed: number): number {
  let h = (seed + 0x9e3779b9) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

function hashSalt(salt: string): number {
  let hash = 0;
  for (let i = 0; i < salt.length; i++) hash = (Math.imul(hash, 31) + salt.charCodeAt(i)) | 0;
  return hash;
}
