package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.trim;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The strict parse of text takes what the type's pattern takes, within the type's bounds (finite
 * numbers, dates of years 1-9999), and gives what it gives; and a Parquet value parsed from its
 * type gives exactly what parsing its text gives. At the edges of each type too.
 */
@ExtendWith(SparkTestSession.class)
class ConformTest {
  private static final String VALUE = "v";

  @Test
  void integersTakeTheirValueAndNullWhereTheContractTypeCannotHoldThem(SparkSession spark) {
    assertThat(parsed(spark, DataTypes.IntegerType, "CAST(0 AS BIGINT)", "-5L", "2147483647L",
        "2147483648L", "-2147483649L", "9223372036854775807L", "CAST(NULL AS BIGINT)"))
        .containsExactly("0", "-5", "2147483647", null, null, null, null);
    assertThat(parsed(spark, DataTypes.LongType, "7", "CAST(-3 AS SMALLINT)", "CAST(NULL AS INT)"))
        .containsExactly("7", "-3", null);
    assertThat(parsed(spark, DataTypes.DoubleType, "9007199254740993L", "-2"))
        .containsExactly("9.007199254740992E15", "-2.0");
  }

  @Test
  void doublesKeepFiniteValuesAndRefuseWhatIsNoNumber(SparkSession spark) {
    assertThat(parsed(spark, DataTypes.DoubleType, "1.5D", "-0.0D", "1e300D", "4.9E-324D",
        "CAST('NaN' AS DOUBLE)", "CAST('Infinity' AS DOUBLE)", "CAST('-Infinity' AS DOUBLE)",
        "CAST(NULL AS DOUBLE)"))
        .containsExactly("1.5", "-0.0", "1.0E300", "4.9E-324", null, null, null, null);
  }

  @Test
  void datesAndTimestampsGiveTheirDayWithinFourDigitYears(SparkSession spark) {
    assertThat(parsed(spark, DataTypes.DateType, "DATE'2020-02-29'", "DATE'0001-01-01'",
        "DATE'9999-12-31'", "date_add(DATE'9999-12-31', 1)", "date_add(DATE'0001-01-01', -1)",
        "date_add(DATE'0001-01-01', -16000)", "CAST(NULL AS DATE)"))
        .containsExactly("2020-02-29", "0001-01-01", "9999-12-31", null, null, null, null);
    // The session's time zone is UTC: a timestamp's day is its UTC day, as its text says.
    assertThat(parsed(spark, DataTypes.DateType, "TIMESTAMP'2017-05-01 23:59:59.5'",
        "TIMESTAMP_NTZ'1999-12-31 00:00:00'", "CAST(NULL AS TIMESTAMP)"))
        .containsExactly("2017-05-01", "1999-12-31", null);
  }

  @Test
  void textIsAcceptedExactlyWhereTheTypesPatternAcceptsIt(SparkSession spark) {
    assertThat(parsedText(spark, DataTypes.IntegerType, "12", " 12 ", "007", "+5", "-0", "12.0",
        "12.00", "12.5", "1e3", "2147483647", "2147483648", "-2147483648", "\t12", "12\u0000",
        "", "abc", "\u0663", "\uff11\uff12", "0x10", "1_000", null))
        .containsExactly("12", "12", "7", "5", "0", "12", "12", null, null, "2147483647", null,
            "-2147483648", null, null, null, null, null, null, null, null, null);
    assertThat(parsedText(spark, DataTypes.LongType, "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "8507.0"))
        .containsExactly("9223372036854775807", null, "-9223372036854775808", "8507");
    assertThat(parsedText(spark, DataTypes.DateType, "2020-01-31", "2020-02-30", "2020-2-3",
        "2017-05-01T09:31:55Z", "2020-01-31 10:00", " 2020-01-31 ", "0001-01-01", "9999-12-31",
        "+10000-01-01", "0000-12-31", "20200131", "2020-01-31x", "2020", ""))
        .containsExactly("2020-01-31", null, null, "2017-05-01", "2020-01-31", "2020-01-31",
            "0001-01-01", "9999-12-31", null, null, null, null, null, null);
    assertThat(parsedText(spark, DataTypes.DoubleType, "98.6", "1", "1.0", "-0.0", ".5", "5.",
        "1e3", "1.0E10", "NaN", "Infinity", "-Infinity", "1e400", "4.9E-324", "0x1p3", "1,5",
        "1d", " 2.5 "))
        .containsExactly("98.6", "1.0", "1.0", "-0.0", "0.5", "5.0", "1000.0", "1.0E10", null,
            null, null, null, "4.9E-324", null, null, null, "2.5");
  }

  @Test
  void typesWhoseTextReadsOtherwiseKeepTheTextParse() {
    // A float's text is its shortest decimal (1.1), not the double it widens to (1.100000023...).
    assertThat(Conform.fromTyped(col(VALUE), DataTypes.FloatType, DataTypes.DoubleType))
        .isEmpty();
    assertThat(Conform.fromTyped(col(VALUE), DataTypes.DoubleType, DataTypes.IntegerType))
        .isEmpty();
    assertThat(Conform.fromTyped(col(VALUE), DataTypes.BooleanType, DataTypes.IntegerType))
        .isEmpty();
  }

  /**
   * The texts parsed as the contract type, as text; asserted equal, value by value, to their
   * parse by the type's pattern alone.
   */
  private static List<String> parsedText(SparkSession spark, DataType contract,
      String... texts) {
    Dataset<Row> source = spark.createDataFrame(
        Arrays.stream(texts).map(t -> RowFactory.create(t)).toList(),
        new StructType().add(VALUE, DataTypes.StringType));
    return agreeing(source, Conform.parse(col(VALUE), contract),
        Conform.byPattern(trim(col(VALUE)), contract));
  }

  /**
   * The values (SQL expressions of one type) parsed as the contract type from their Parquet
   * type, as text; asserted equal, value by value, to the parse of their text.
   */
  private static List<String> parsed(SparkSession spark, DataType contract, String... values) {
    Column[] typed = Arrays.stream(values).map(v -> expr(v)).toArray(Column[]::new);
    Dataset<Row> source = spark.range(1)
        .select(explode(array(typed)).as(SourceFiles.TYPED_PREFIX + VALUE))
        .withColumn(VALUE, col(SourceFiles.TYPED_PREFIX + VALUE).cast(DataTypes.StringType));
    return agreeing(source, Conform.parse(source, VALUE, contract),
        Conform.parse(col(VALUE), contract));
  }

  /** The parse's values as text, asserted equal row by row to the reference parse's. */
  private static List<String> agreeing(Dataset<Row> source, Column parse, Column reference) {
    List<Row> rows = source.select(parse.cast(DataTypes.StringType),
        reference.cast(DataTypes.StringType)).collectAsList();
    assertThat(rows).allSatisfy(r -> assertThat(r.getString(0)).as("reference parse gives "
        + r.getString(1)).isEqualTo(r.getString(1)));
    return rows.stream().map(r -> r.getString(0)).toList();
  }
}
