package org.fairgrove.pipeline.synth;

import java.util.SplittableRandom;

/**
 * A per-person random stream. Seeded from (run seed, person, purpose) alone, so a person's
 * history does not depend on partitioning or on which table is being written; StrictMath keeps
 * the numbers identical on every JVM and platform.
 */
final class Rng {
  /** Independent streams per person: the life course, the care received, injected biases. */
  static final int LIFE = 1;
  static final int CARE = 2;
  static final int BIAS = 3;

  private final SplittableRandom random;

  Rng(long seed, long person, int purpose) {
    this.random = new SplittableRandom(mix(mix(seed) ^ person) + purpose);
  }

  double uniform() {
    return random.nextDouble();
  }

  boolean chance(double p) {
    return random.nextDouble() < p;
  }

  /** Uniform integer in [0, bound). */
  int below(int bound) {
    return bound <= 1 ? 0 : random.nextInt(bound);
  }

  double normal(double mean, double sd) {
    // Box-Muller; 1 - u keeps the logarithm finite.
    double u = 1.0 - random.nextDouble();
    double v = random.nextDouble();
    return mean + sd * StrictMath.sqrt(-2.0 * StrictMath.log(u))
        * StrictMath.cos(2.0 * StrictMath.PI * v);
  }

  /** Poisson count by inversion; the rates here are small (a few events a year). */
  int poisson(double mean) {
    double p = StrictMath.exp(-mean);
    double cumulative = p;
    double u = random.nextDouble();
    int k = 0;
    while (u > cumulative && k < 1000) {
      k++;
      p *= mean / k;
      cumulative += p;
    }
    return k;
  }

  /** An index drawn with the given (not necessarily normalised) weights. */
  int pick(double[] weights) {
    double total = 0;
    for (double w : weights) {
      total += w;
    }
    double u = random.nextDouble() * total;
    for (int i = 0; i < weights.length - 1; i++) {
      u -= weights[i];
      if (u < 0) {
        return i;
      }
    }
    return weights.length - 1;
  }

  /** MurmurHash3's 64-bit finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
