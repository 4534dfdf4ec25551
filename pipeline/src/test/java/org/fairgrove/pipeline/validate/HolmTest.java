package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class HolmTest {
  @Test
  void stepDownByHand() {
    // Sorted: 0.005 x 4 = 0.02; 0.01 x 3 = 0.03; 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> 0.06
    // (monotone).
    double[] adjusted = Holm.adjust(new double[] {0.01, 0.04, 0.03, 0.005});
    assertThat(adjusted[0]).isCloseTo(0.03, within(1e-15));
    assertThat(adjusted[1]).isCloseTo(0.06, within(1e-15));
    assertThat(adjusted[2]).isCloseTo(0.06, within(1e-15));
    assertThat(adjusted[3]).isCloseTo(0.02, within(1e-15));
  }

  @Test
  void capsAtOneAndSkipsMissing() {
    double[] adjusted = Holm.adjust(new double[] {Double.NaN, 0.6, 0.2});
    assertThat(adjusted[0]).isNaN();
    assertThat(adjusted[2]).isCloseTo(0.4, within(1e-15));
    assertThat(adjusted[1]).isCloseTo(0.6, within(1e-15));
    assertThat(Holm.adjust(new double[] {0.7, 0.8})).containsExactly(1.0, 1.0);
  }
}
