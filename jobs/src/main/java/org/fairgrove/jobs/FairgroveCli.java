package org.fairgrove.jobs;

import java.io.PrintWriter;
import org.fairgrove.pipeline.core.FairgroveError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The fairgrove command line: one entry point for bin/fairgrove and spark-submit. */
@Command(name = "fairgrove", mixinStandardHelpOptions = true,
    versionProvider = FairgroveCli.Version.class,
    description = "Train clinical risk models on whole populations and prove they are fair"
        + " before anyone uses them.",
    subcommands = {
        DemoCommand.class, SynthCommand.class, IngestCommand.class, CohortCommand.class,
        FeaturesCommand.class, TrainCommand.class, ModelsCommand.class, PromoteCommand.class,
        NightlyCommand.class,
        ScoreCommand.class, ValidateCommand.class, SqlCommand.class, BenchCommand.class,
        ConfigCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Run 'fairgrove COMMAND --help' for a command's options."})
public final class FairgroveCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    Logging.useFairgroveDefaults();
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit code (tests call this in-process). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new FairgroveCli());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler((error, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      boolean verbose = parseResult.subcommands().stream()
          .anyMatch(sub -> sub.hasMatchedOption("--verbose"));
      FairgroveError userError = findUserError(error);
      if (userError != null) {
        err.println("error: " + userError.problem());
        err.println("  why: " + userError.reason());
        err.println("  fix: " + userError.fix());
        if (verbose) {
          error.printStackTrace(err);
        }
        return ExitCodes.USER_ERROR;
      }
      err.println("error: " + error.getClass().getSimpleName() + ": " + error.getMessage());
      if (verbose) {
        error.printStackTrace(err);
      } else {
        err.println("  (run again with --verbose for the stack trace)");
      }
      return ExitCodes.FAILED;
    });
    return cli.execute(args);
  }

  /** A FairgroveError may arrive wrapped (e.g. thrown inside a Spark task). */
  private static FairgroveError findUserError(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof FairgroveError fairgroveError) {
        return fairgroveError;
      }
    }
    return null;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = FairgroveCli.class.getPackage().getImplementationVersion();
      return new String[] {"fairgrove " + (version == null ? "(development build)" : version)
          + ", Spark " + org.apache.spark.package$.MODULE$.SPARK_VERSION()};
    }
  }
}
