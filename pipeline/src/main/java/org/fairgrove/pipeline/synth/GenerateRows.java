package org.fairgrove.pipeline.synth;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

/** Turns a partition of person indexes into the rows of one output table, person by person. */
final class GenerateRows implements MapPartitionsFunction<Long, Row> {
  private final PopulationPlan plan;
  private final Output table;
  private final LongAccumulator rows;

  GenerateRows(PopulationPlan plan, Output table, LongAccumulator rows) {
    this.plan = plan;
    this.table = table;
    this.rows = rows;
  }

  @Override
  public Iterator<Row> call(Iterator<Long> persons) {
    PersonSimulator simulator = new PersonSimulator(plan);
    ArrayDeque<Row> buffer = new ArrayDeque<>();
    Output.Sink sink = new Output.Sink() {
      @Override
      public boolean wants(Output candidate) {
        return candidate == table;
      }

      @Override
      public void accept(Output candidate, Object... values) {
        buffer.add(RowFactory.create(values));
      }
    };
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        while (buffer.isEmpty() && persons.hasNext()) {
          simulator.simulate(persons.next(), sink);
          rows.add(buffer.size());
        }
        return !buffer.isEmpty();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return buffer.poll();
      }
    };
  }
}
