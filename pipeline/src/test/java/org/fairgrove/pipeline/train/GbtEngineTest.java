package org.fairgrove.pipeline.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** XGBoost's minimum child weight and early stopping carried over to MLlib, by hand. */
class GbtEngineTest {
  private static final Engine.Trial MIN_CHILD_1 = new Engine.Trial(6, 0.1, 1.0);
  private static final Engine.Trial MIN_CHILD_5 = new Engine.Trial(6, 0.1, 5.0);

  @Test
  void aRareOutcomeNeedsAboutTwoHundredRowsPerUnitOfMinimumChildWeight() {
    // 50 events in 10,000 rows: p = 0.005, p(1 - p) = 0.004975 per row.
    Engine.TrainingSet rows = new Engine.TrainingSet(null, null, 50, 9950, 1.0, 2);
    assertThat(rows.hessianPerRow()).isCloseTo(0.004975, within(1e-12));
    assertThat(GbtEngine.minInstances(MIN_CHILD_1, rows)).isEqualTo(202); // 1 / 0.004975 = 201.005
    assertThat(GbtEngine.minInstances(MIN_CHILD_5, rows)).isEqualTo(1006); // 1005.03
  }

  @Test
  void classWeightingMovesTheBaseRateToOneHalf() {
    // Events weighted 9950 / 50 = 199: weighted rate 0.5, total weight 19,900 over 10,000 rows,
    // so 19,900 x 0.25 / 10,000 = 0.4975 per row.
    Engine.TrainingSet rows = new Engine.TrainingSet(null, null, 50, 9950, 199.0, 2);
    assertThat(rows.hessianPerRow()).isCloseTo(0.4975, within(1e-12));
    assertThat(GbtEngine.minInstances(MIN_CHILD_1, rows)).isEqualTo(3); // 2.0101
  }

  @Test
  void aBalancedOutcomeNeedsFourRowsPerUnit() {
    Engine.TrainingSet rows = new Engine.TrainingSet(null, null, 500, 500, 1.0, 2);
    assertThat(GbtEngine.minInstances(MIN_CHILD_1, rows)).isEqualTo(4);
    assertThat(GbtEngine.minInstances(new Engine.Trial(3, 0.1, 0.0), rows)).isEqualTo(1);
  }

  @Test
  void earlyStoppingKeepsTheTreesUpToTheBestLossSeenWithinThePatience() {
    // Validation loss after trees 1..8.
    double[] losses = {0.50, 0.40, 0.41, 0.39, 0.395, 0.392, 0.391, 0.38};
    // Patience 1: tree 3 does not improve on tree 2's 0.40, so boosting stops there: 2 trees.
    assertThat(GbtEngine.bestRounds(losses, 1)).isEqualTo(2);
    // Patience 2: tree 3 is lost, tree 4 (0.39) improves; trees 5 and 6 do not: 4 trees.
    assertThat(GbtEngine.bestRounds(losses, 2)).isEqualTo(4);
    // Patience 4: tree 8 (0.38) comes 4 trees after tree 4 and is kept, all 8.
    assertThat(GbtEngine.bestRounds(losses, 4)).isEqualTo(8);
    // A tie is no improvement: the earlier, smaller model.
    assertThat(GbtEngine.bestRounds(new double[] {0.5, 0.5, 0.5}, 5)).isEqualTo(1);
  }
}
