package org.fairgrove.pipeline.bench;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.ingest.Ingest;
import org.fairgrove.pipeline.ingest.IngestSummary;
import org.fairgrove.pipeline.synth.SynthResult;
import org.fairgrove.pipeline.synth.SyntheticPopulation;

/** Every benchmarked stage, in pipeline order (a stage reads what the ones before it wrote). */
public final class BenchStages {
  private BenchStages() {}

  public static List<BenchStage> all() {
    return List.of(new Synth(), new IngestStage());
  }

  /** Writes the synthetic OMOP population; counts every source row written. */
  static final class Synth implements BenchStage {
    @Override
    public String name() {
      return "synth";
    }

    @Override
    public String unit() {
      return "rows written";
    }

    @Override
    public long run(SparkSession spark, FairgroveConfig config) {
      SynthResult result = SyntheticPopulation.generate(spark, config);
      return result.rowsPerTable().values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Ingests every site of the population into bronze and silver; counts source rows read. */
  static final class IngestStage implements BenchStage {
    @Override
    public String name() {
      return "ingest";
    }

    @Override
    public String unit() {
      return "rows read";
    }

    @Override
    public long run(SparkSession spark, FairgroveConfig config) {
      return Ingest.syntheticPopulation(spark, config).stream()
          .mapToLong(IngestSummary::rowsRead).sum();
    }
  }
}
