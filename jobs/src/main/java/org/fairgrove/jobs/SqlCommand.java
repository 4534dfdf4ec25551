package org.fairgrove.jobs;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.query.SqlQuery;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "sql", mixinStandardHelpOptions = true,
    description = {
        "Run Spark SQL against the lakehouse. Every Delta table is registered by name,"
            + " e.g. silver.person, gold.features, truth.person_onset.",
        "Results go to stdout; progress and warnings to stderr."},
    footer = {"", "Examples:",
        "  fairgrove sql \"SHOW TABLES IN truth\"",
        "  fairgrove sql --format csv \"SELECT site_id, count(*) AS n FROM truth.person_onset"
            + " GROUP BY site_id\" > sites.csv"})
final class SqlCommand extends SparkCommand {
  @ArgGroup(multiplicity = "1")
  QuerySource source;

  static final class QuerySource {
    @Parameters(index = "0", paramLabel = "QUERY", description = "The SQL statement.")
    String query;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Read the statement"
        + " from a file instead.")
    Path file;
  }

  @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT",
      description = "table (default), csv (with a header) or json (JSON Lines). csv and json"
          + " stream every row.")
  SqlQuery.Format format;

  @Option(names = "--limit", defaultValue = "100", paramLabel = "N",
      description = "Rows shown in table format (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  int run(SparkSession spark, FairgroveConfig config) throws Exception {
    String sql = source.file != null ? Files.readString(source.file) : source.query;
    SqlQuery.run(spark, new Lakehouse(spark, config.lakehouse.root()), sql.strip(), format,
        Math.max(limit, 1), System.out);
    return 0;
  }
}
