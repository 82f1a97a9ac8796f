import { SeededRandom } from '../simulators/kit/random.js';

// The chaos run's seeded randomness: the same --seed gives the same fault schedule and the same
// choices of the driver (what the product and the clock make of them still varies from run to run).
// The simulators' generator, plus the picks the driver needs.
export class Random extends SeededRandom {
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** One of `weights`' keys, with the probability of its weight over the sum. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
    const entries = Object.entries(weights) as [K, number][];
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    const last = entries.at(-1);
    if (last === undefined) throw new RangeError('weighted pick from no weights');
    return last[0];
  }

  /** A new generator whose sequence depends only on this seed and `label`. */
  fork(label: string): Random {
    let h = this.state ^ 0x9e3779b9;
    for (const c of label) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    return new Random(h);
  }
}
