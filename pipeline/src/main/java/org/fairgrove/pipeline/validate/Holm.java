package org.fairgrove.pipeline.validate;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Holm's (1979) step-down adjustment, which controls the family-wise error rate: sort the m
 * p-values ascending, p_(i) becomes max over j <= i of min(1, (m - j + 1) p_(j)). NaN p-values
 * stay NaN and do not count towards m.
 */
public final class Holm {
  private Holm() {}

  public static double[] adjust(double[] p) {
    Integer[] order = IntStream.range(0, p.length).filter(i -> !Double.isNaN(p[i])).boxed()
        .sorted(Comparator.comparingDouble(i -> p[i])).toArray(Integer[]::new);
    double[] adjusted = new double[p.length];
    Arrays.fill(adjusted, Double.NaN);
    int m = order.length;
    double running = 0;
    for (int rank = 0; rank < m; rank++) {
      running = Math.max(running, Math.min(1, (m - rank) * p[order[rank]]));
      adjusted[order[rank]] = running;
    }
    return adjusted;
  }
}
