package org.fairgrove.pipeline.validate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Running sums by hand on two slices (ties and a null order value included), the same whether
 * the values are cut into one bucket, three, or more buckets than there are rows.
 */
@ExtendWith(SparkTestSession.class)
class RunningSumsTest {
  private final SparkSession spark;

  RunningSumsTest(SparkSession spark) {
    this.spark = spark;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 9})
  void sumsUpToEachRowAndPerSliceWhateverTheBuckets(int buckets) {
    StructType schema = new StructType().add(Slices.ATTRIBUTE, DataTypes.StringType)
        .add(Slices.GROUP, DataTypes.StringType).add("x", DataTypes.DoubleType)
        .add("v", DataTypes.DoubleType);
    Dataset<Row> rows = spark.createDataFrame(List.of(
        RowFactory.create("sex", "F", 0.9, 5.0), RowFactory.create("sex", "F", 0.1, 1.0),
        RowFactory.create("sex", "F", 0.5, 4.0), RowFactory.create("sex", "F", null, 7.0),
        RowFactory.create("sex", "M", 0.7, 20.0), RowFactory.create("sex", "M", 0.3, 10.0),
        RowFactory.create("overall", "all", 0.2, 2.0),
        RowFactory.create("overall", "all", 0.2, 3.0)), schema);
    String before = spark.conf().get("spark.sql.shuffle.partitions");
    List<String> sums;
    try {
      spark.conf().set("spark.sql.shuffle.partitions", Integer.toString(buckets));
      sums = RunningSums.add(rows, "x", "v")
          .orderBy(Slices.ATTRIBUTE, Slices.GROUP, "x", "cum_v").collectAsList().stream()
          .map(r -> r.getString(1) + " " + r.get(2) + " " + r.<Double>getAs("cum_v") + "/"
              + r.<Double>getAs("total_v"))
          .toList();
    } finally {
      spark.conf().set("spark.sql.shuffle.partitions", before);
    }
    // F in order null, 0.1, 0.5, 0.9: 7, 8, 12, 17 of 17. M: 10, 30 of 30. The tied pair: 2 and
    // 3 in either order, so one row has 2 or 3 and the other 5.
    assertThat(sums).containsExactly("all 0.2 " + sums.get(0).split(" ")[2],
        "all 0.2 5.0/5.0", "F null 7.0/17.0", "F 0.1 8.0/17.0", "F 0.5 12.0/17.0",
        "F 0.9 17.0/17.0", "M 0.3 10.0/30.0", "M 0.7 30.0/30.0");
    assertThat(sums.get(0)).isIn("all 0.2 2.0/5.0", "all 0.2 3.0/5.0");
  }
}
