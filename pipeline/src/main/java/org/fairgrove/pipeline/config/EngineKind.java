package org.fairgrove.pipeline.config;

/** The learning engine a task trains with (task.train.engine); a model's registry row names it. */
public enum EngineKind implements Choice {
  /** XGBoost4J-Spark: hist trees, native missing values, early stopping, SHAP contributions. */
  XGBOOST("xgboost"),
  /** Spark MLlib GBTClassifier: missing values imputed below every observed value. */
  MLLIB_GBT("mllib-gbt");

  private final String configName;

  EngineKind(String configName) {
    this.configName = configName;
  }

  @Override
  public String configName() {
    return configName;
  }
}
