package org.fairgrove.pipeline.synth;

import java.io.Serializable;

/**
 * A site's patient mix. Sites cycle through three archetypes (urban academic centre, suburban
 * community hospital, rural and border-region system) so that groups are unevenly spread, as
 * they are in real networks.
 */
record SiteProfile(
    String archetype,
    /* White, Black, Asian, AIAN, NHPI, Other */ double[] race,
    double hispanic,
    /* under 65: Commercial, Medicaid, Uninsured */ double[] payer,
    /* ages 0-17, 18-44, 45-64, 65-74, 75-89, 90-99 at the start of the history */ double[] age)
    implements Serializable {

  static final int[] AGE_LOWER = {0, 18, 45, 65, 75, 90};
  static final int[] AGE_UPPER_EXCLUSIVE = {18, 45, 65, 75, 90, 100};

  private static final SiteProfile[] ARCHETYPES = {
      new SiteProfile("urban",
          new double[] {0.48, 0.27, 0.12, 0.01, 0.01, 0.11}, 0.22,
          new double[] {0.58, 0.32, 0.10},
          new double[] {0.20, 0.40, 0.24, 0.09, 0.06, 0.01}),
      new SiteProfile("suburban",
          new double[] {0.76, 0.09, 0.09, 0.005, 0.005, 0.05}, 0.09,
          new double[] {0.80, 0.14, 0.06},
          new double[] {0.18, 0.30, 0.28, 0.13, 0.095, 0.015}),
      new SiteProfile("rural",
          new double[] {0.58, 0.06, 0.02, 0.09, 0.02, 0.23}, 0.38,
          new double[] {0.48, 0.36, 0.16},
          new double[] {0.19, 0.31, 0.27, 0.12, 0.09, 0.02}),
  };

  static SiteProfile forSite(int siteIndex) {
    return ARCHETYPES[siteIndex % ARCHETYPES.length];
  }

  /** Relative size of a site: the first is the largest. */
  static double sizeWeight(int siteIndex) {
    return 1.0 / (1.0 + 0.4 * siteIndex);
  }
}
