package org.fairgrove.pipeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.fairgrove.pipeline.core.FairgroveError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FairgroveConfigTest {
  @TempDir Path dir;

  private static FairgroveConfig sets(String... sets) {
    return FairgroveConfig.load(List.of(), List.of(sets));
  }

  @Test
  void defaultsAreTheDeclaredValues() {
    FairgroveConfig config = FairgroveConfig.defaults();
    assertThat(config.run.environment()).isEqualTo("production");
    assertThat(config.run.seed()).isEqualTo(20261124L);
    assertThat(config.synth.persons()).isEqualTo(100000L);
    assertThat(config.synth.sites()).isEqualTo(3);
    assertThat(config.synth.format()).isEqualTo(SynthSettings.Format.CSV);
    assertThat(config.spark.conf()).isEmpty();
    assertThat(config.bench.sizes()).containsExactly(10_000L, 100_000L, 1_000_000L);
    // Relative paths are taken from the working directory.
    assertThat(config.lakehouse.root())
        .isEqualTo(Path.of("lakehouse").toAbsolutePath().normalize().toString());
  }

  @Test
  void everyDeclaredKeyHasHelpText() {
    assertThat(FairgroveConfig.defaults().describeKeys())
        .allSatisfy(key -> assertThat(key.help()).as(key.key()).isNotBlank());
  }

  @Test
  void localProfileIsDevelopmentAndOriginsNameTheirSource() {
    FairgroveConfig config = FairgroveConfig.load(List.of("local"), List.of("synth.persons=500"));
    assertThat(config.run.production()).isFalse();
    assertThat(config.synth.persons()).isEqualTo(500L);
    FairgroveConfig.KeyDescription persons = config.describeKeys().stream()
        .filter(k -> k.key().equals("synth.persons")).findFirst().orElseThrow();
    assertThat(persons.origin()).contains("--set synth.persons");
    FairgroveConfig.KeyDescription environment = config.describeKeys().stream()
        .filter(k -> k.key().equals("run.environment")).findFirst().orElseThrow();
    assertThat(environment.origin()).contains("local.conf");
  }

  @Test
  void laterFilesAndSetsOverrideEarlierOnes() throws Exception {
    Path file = dir.resolve("mine.conf");
    Files.writeString(file, "synth { persons = 123, sites = 5 }\n");
    FairgroveConfig config =
        FairgroveConfig.load(List.of("local", file.toString()), List.of("synth.sites=7"));
    assertThat(config.synth.persons()).isEqualTo(123L);
    assertThat(config.synth.sites()).isEqualTo(7);
  }

  @Test
  void unknownKeyInFileNamesKeyOriginAndSuggestion() throws Exception {
    Path file = dir.resolve("typo.conf");
    Files.writeString(file, "# a comment\nsynth.persns = 10\n");
    assertThatThrownBy(() -> FairgroveConfig.load(List.of(file.toString()), List.of()))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("Unknown configuration key 'synth.persns'")
        .hasMessageContaining("typo.conf: 2")
        .hasMessageContaining("Did you mean 'synth.persons'?")
        .hasMessageContaining("fairgrove config");
  }

  @Test
  void unknownKeyFromSetIsRejected() {
    assertThatThrownBy(() -> sets("lakehouse.rooot=/tmp/x"))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("'lakehouse.rooot'")
        .hasMessageContaining("--set lakehouse.rooot")
        .hasMessageContaining("'lakehouse.root'");
  }

  @Test
  void wrongTypesNameTheExpectedType() {
    assertThatThrownBy(() -> sets("synth.persons=many"))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("'synth.persons' has the wrong type")
        .hasMessageContaining("a whole number (default: 100000)")
        .hasMessageContaining("--set synth.persons");
    assertThatThrownBy(() -> sets("synth.persons=1.5"))
        .hasMessageContaining("a whole number");
    assertThatThrownBy(() -> sets("spark.ui-enabled=maybe"))
        .hasMessageContaining("true or false");
    assertThatThrownBy(() -> sets("bench.sizes=10"))
        .hasMessageContaining("a list");
    assertThatThrownBy(() -> sets("synth.format=[csv]"))
        .hasMessageContaining("a single value");
  }

  @Test
  void invalidValuesSayWhatIsAllowed() {
    assertThatThrownBy(() -> sets("synth.format=xml"))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("'xml' is not one of")
        .hasMessageContaining("parquet");
    assertThatThrownBy(() -> sets("synth.persons=0"))
        .hasMessageContaining("below the minimum 1");
    assertThatThrownBy(() -> sets("synth.start-date=2020-13-01"))
        .hasMessageContaining("not an ISO date");
    assertThatThrownBy(() -> sets("synth.as-of=2030-01-01"))
        .hasMessageContaining("within the simulated history (2012-01-01 to 2024-12-31)");
    assertThatThrownBy(() -> sets("synth.as-of=2023-06-30", "synth.after=2023-06-30"))
        .hasMessageContaining("the day before synth.as-of (2023-06-30)")
        .hasMessageContaining("the as-of day of the release this batch follows");
    assertThat(sets("synth.after=2023-06-30").synth.asOf()).isEqualTo("2024-12-31");
    assertThatThrownBy(() -> sets("run.environment=staging"))
        .hasMessageContaining("'staging' is not one of");
    assertThatThrownBy(() -> sets("bench.sizes=[100, -5]"))
        .hasMessageContaining("'-5' is not a positive whole number");
    assertThatThrownBy(() -> sets("spark.master="))
        .hasMessageContaining("'spark.master' has no value");
  }

  @Test
  void missingProfileAndBadSetAreExplained() {
    assertThatThrownBy(() -> FairgroveConfig.load(List.of("nosuch"), List.of()))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("Configuration 'nosuch' was not found")
        .hasMessageContaining("local, cluster, nightly");
    assertThatThrownBy(() -> sets("synth.persons"))
        .hasMessageContaining("not of the form key=value");
  }

  @Test
  void brokenHoconNamesTheFile() throws Exception {
    Path file = dir.resolve("broken.conf");
    Files.writeString(file, "synth { persons = \n");
    assertThatThrownBy(() -> FairgroveConfig.load(List.of(file.toString()), List.of()))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("could not be parsed");
  }

  @Test
  void freeFormMapsPassThroughAndUrisStayAsGiven() {
    FairgroveConfig config = sets(
        "spark.conf.\"spark.sql.adaptive.enabled\"=false",
        "lakehouse.root=s3a://bucket/fairgrove");
    assertThat(config.spark.conf()).containsEntry("spark.sql.adaptive.enabled", "false");
    assertThat(config.lakehouse.root()).isEqualTo("s3a://bucket/fairgrove");
    assertThatThrownBy(() -> sets("spark.conf=3")).hasMessageContaining("an object");
  }

  @Test
  void clusterProfileFallsBackToDefaultsWithoutEnvironment() {
    FairgroveConfig config = FairgroveConfig.load(List.of("cluster"), List.of());
    assertThat(config.run.production()).isTrue();
    assertThat(config.spark.conf()).containsEntry("spark.sql.adaptive.enabled", "true");
    assertThat(config.spark.shufflePartitions()).isEqualTo(400);
  }

  @Test
  void biasesAreParsedAndValidated() {
    FairgroveConfig config = sets("synth.biases=[{kind = under-diagnosis, attribute = race,"
        + " value = Black, strength = 0.5}]");
    assertThat(config.synth.biases()).containsExactly(
        new SynthSettings.Bias("under-diagnosis", "race", "Black", 0.5));
    assertThatThrownBy(() -> sets("synth.biases=[{kind = over-diagnosis, attribute = race,"
        + " value = Black, strength = 0.5}]"))
        .hasMessageContaining("synth.biases[0].kind")
        .hasMessageContaining("'over-diagnosis' is not one of");
    assertThatThrownBy(() -> sets("synth.biases=[{kind = under-diagnosis, attribute = race,"
        + " value = Black, strength = 1.5}]"))
        .hasMessageContaining("1.5 is outside 0.0..1.0");
    assertThatThrownBy(() -> sets("synth.biases=[{kind = under-diagnosis, attribute = race}]"))
        .hasMessageContaining("synth.biases[0].value");
  }

  @Test
  void withAppliesFurtherOverridesAndKeepsChecks() {
    FairgroveConfig config = sets("synth.persons=10").with(List.of("synth.sites=2"));
    assertThat(config.synth.persons()).isEqualTo(10L);
    assertThat(config.synth.sites()).isEqualTo(2);
    assertThatThrownBy(() -> config.with(List.of("synth.nope=1")))
        .hasMessageContaining("Unknown configuration key 'synth.nope'");
  }
}
