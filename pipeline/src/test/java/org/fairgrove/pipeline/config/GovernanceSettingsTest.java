package org.fairgrove.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.fairgrove.pipeline.core.FairgroveError;
import org.junit.jupiter.api.Test;

class GovernanceSettingsTest {
  private static FairgroveConfig sets(String... sets) {
    return FairgroveConfig.load(List.of(), List.of(sets));
  }

  @Test
  void defaultsAreTheDeclaredPolicy() {
    GovernanceSettings g = FairgroveConfig.defaults().governance;
    assertThat(g.smallCellThreshold()).isEqualTo(11);
    assertThat(g.bootstrapReplicates()).isEqualTo(1000);
    assertThat(g.parityRatio()).isEqualTo(new GovernanceSettings.Range(0.8, 1.25));
    assertThat(g.attributes()).containsExactly("sex", "race", "ethnicity", "age_band", "site_id",
        "payer");
    assertThat(g.intersections()).containsExactly(List.of("race", "sex"));
    assertThat(g.referenceGroups()).isEmpty();
    // 0.01 to 0.5 in steps of 0.01: 50 thresholds, exact decimals.
    assertThat(g.netBenefitThresholds()).hasSize(50).contains(0.03, 0.29, 0.5);
  }

  @Test
  void referenceGroupsOfIntersectionsAreQuotedKeys() {
    GovernanceSettings g = sets("governance.reference-groups={ race = \"White\", \"race x sex\""
        + " = \"White x M\" }").governance;
    assertThat(g.referenceGroups()).containsEntry("race", "White")
        .containsEntry("race x sex", "White x M");
  }

  @Test
  void invalidPolicyIsRejectedAtStart() {
    assertThatThrownBy(() -> sets("governance.intersections=[\"race x zip\"]"))
        .isInstanceOf(FairgroveError.class).hasMessageContaining("governance.intersections");
    assertThatThrownBy(() -> sets("governance.parity-ratio.max=0.5"))
        .isInstanceOf(FairgroveError.class).hasMessageContaining("governance.parity-ratio.max");
    assertThatThrownBy(() -> sets("governance.thresholds=[0.2, 1.5]"))
        .isInstanceOf(FairgroveError.class).hasMessageContaining("governance.thresholds");
  }
}
