package org.fairgrove.pipeline.omop;

/**
 * The OMOP standard concept ids Fairgrove names in code (the synthetic population writes them;
 * tasks and features refer to them through config).
 */
public final class Concepts {
  private Concepts() {}

  public static final int MALE = 8507;
  public static final int FEMALE = 8532;

  public static final int RACE_WHITE = 8527;
  public static final int RACE_BLACK = 8516;
  public static final int RACE_ASIAN = 8515;
  public static final int RACE_AIAN = 8657;
  public static final int RACE_NHPI = 8557;
  public static final int HISPANIC = 38003563;
  public static final int NOT_HISPANIC = 38003564;
  /** "No matching concept": a source value that was not mapped to a standard concept. */
  public static final int NO_MATCH = 0;

  public static final int VISIT_INPATIENT = 9201;
  public static final int VISIT_OUTPATIENT = 9202;
  public static final int VISIT_EMERGENCY = 9203;
  /** Type concept "EHR" for records that came from an electronic health record. */
  public static final int TYPE_EHR = 32817;
  /** Type concept "EHR prescription": a drug ordered (FHIR MedicationRequest). */
  public static final int TYPE_EHR_PRESCRIPTION = 32838;
  /** Type concept "EHR administration record": a drug given (FHIR MedicationAdministration). */
  public static final int TYPE_EHR_ADMINISTRATION = 32818;

  public static final int TYPE_2_DIABETES = 201826;
  public static final int HYPERTENSION = 320128;
  public static final int OBESITY = 433736;
  public static final int PREDIABETES = 37018196;
  public static final int HYPERLIPIDEMIA = 432867;
  public static final int UPPER_RESPIRATORY_INFECTION = 257011;
  public static final int LOW_BACK_PAIN = 194133;
  public static final int DEPRESSIVE_DISORDER = 440383;

  public static final int METFORMIN = 1503297;
  public static final int LISINOPRIL = 1308216;
  public static final int ATORVASTATIN = 1545958;

  public static final int HBA1C = 3004410;
  public static final int BMI = 3038553;
  public static final int SYSTOLIC_BP = 3004249;
  public static final int EGFR = 3049187;

  public static final int UNIT_PERCENT = 8554;
  public static final int UNIT_KG_PER_M2 = 9531;
  public static final int UNIT_MM_HG = 8876;
  public static final int UNIT_ML_MIN_173M2 = 8117;
}
