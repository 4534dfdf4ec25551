package org.fairgrove.pipeline.synth;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.SynthSettings;

/**
 * Everything a worker needs to simulate any person: the seed, the simulated span, which site owns
 * which contiguous range of person indexes, the injected biases, and which of the simulated
 * records this write releases.
 */
record PopulationPlan(long seed, int startDay, int endDay, List<Site> sites, List<BiasRule> biases,
    Release release) implements Serializable {

  /** Persons with index in [first, end) belong to this site. */
  record Site(String id, int index, long first, long end, SiteProfile profile)
      implements Serializable {
    long persons() {
      return end - first;
    }
  }

  /** One injected bias (see synth.biases in conf/base.conf). */
  record BiasRule(String kind, String attribute, String value, double strength)
      implements Serializable {}

  static PopulationPlan from(FairgroveConfig config) {
    SynthSettings synth = config.synth;
    double totalWeight = 0;
    for (int i = 0; i < synth.sites(); i++) {
      totalWeight += SiteProfile.sizeWeight(i);
    }
    List<Site> sites = new ArrayList<>();
    double cumulative = 0;
    long first = 0;
    for (int i = 0; i < synth.sites(); i++) {
      cumulative += SiteProfile.sizeWeight(i);
      long end = i == synth.sites() - 1
          ? synth.persons()
          : (long) Math.floor(synth.persons() * cumulative / totalWeight);
      sites.add(new Site(siteId(i), i, first, end, SiteProfile.forSite(i)));
      first = end;
    }
    List<BiasRule> biases = synth.biases().stream()
        .map(b -> new BiasRule(b.kind(), b.attribute(), b.value(), b.strength()))
        .toList();
    Release release = new Release(
        synth.after() == null ? Release.FULL : (int) synth.after().toEpochDay(),
        (int) synth.asOf().toEpochDay(), synth.corrections(), config.run.seed());
    return new PopulationPlan(config.run.seed(), (int) synth.startDate().toEpochDay(),
        (int) synth.endDate().toEpochDay(), List.copyOf(sites), biases, release);
  }

  /** Site ids as they appear in source folders and in silver: S1, S2, ... */
  static String siteId(int index) {
    return "S" + (index + 1);
  }

  Site siteOf(long personIndex) {
    for (Site site : sites) {
      if (personIndex < site.end()) {
        return site;
      }
    }
    throw new IllegalArgumentException("Person index " + personIndex + " is outside the plan");
  }

  long persons() {
    return sites.get(sites.size() - 1).end();
  }
}
