package org.fairgrove.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.fairgrove.pipeline.lakehouse.TableId;
import org.junit.jupiter.api.Test;

class SqlQueryTest {
  private static final TableId OBSERVATION = TableId.of("silver", "observation");
  private static final TableId PERIOD = TableId.of("silver", "observation_period");
  private static final TableId PERSON = TableId.of("silver", "person");
  private static final TableId ONSET = TableId.of("truth", "person_onset");
  private static final List<TableId> TABLES = List.of(OBSERVATION, PERIOD, PERSON, ONSET);

  @Test
  void registersOnlyTheTablesAQueryNames() {
    assertThat(SqlQuery.tablesNamedIn("SELECT count(*) FROM silver.observation_period", TABLES))
        .containsExactly(PERIOD);
    assertThat(SqlQuery.tablesNamedIn(
        "select p.person_id from `silver`.`person` p join Truth . Person_Onset o using (person_id)"
            + " where exists (select 1 from silver.observation x)", TABLES))
        .containsExactly(OBSERVATION, PERSON, ONSET);
  }

  @Test
  void aNameOnlyStartingLikeATableIsNotThatTable() {
    assertThat(SqlQuery.tablesNamedIn(
        "SELECT * FROM silver.person_extra, mysilver.person, silver.observations", TABLES))
        .as("none named: all are registered").containsExactlyElementsOf(TABLES);
  }

  @Test
  void aStatementNamingNoTableSeesThemAll() {
    assertThat(SqlQuery.tablesNamedIn("SHOW TABLES IN silver", TABLES))
        .containsExactlyElementsOf(TABLES);
  }
}
