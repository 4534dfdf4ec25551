package org.fairgrove.pipeline.synth;

import java.time.LocalDate;
import java.util.Arrays;
import org.fairgrove.pipeline.omop.Concepts;
import org.fairgrove.pipeline.omop.Demographics;
import org.fairgrove.pipeline.synth.PopulationPlan.BiasRule;
import org.fairgrove.pipeline.synth.PopulationPlan.Site;

/**
 * Simulates one person's history and emits it as OMOP rows plus ground truth.
 *
 * <p>Two stages, each with its own random stream: the life course (traits, latent BMI, HbA1c,
 * systolic BP and eGFR trajectories, type 2 diabetes onset from the hazard model below, death,
 * the dates care was sought), then the care received at each visit (what was measured, what was
 * diagnosed and coded, what was prescribed). Biases draw from a third stream, so injecting one
 * changes what the source records, never the truth.
 *
 * <p>The known hazard model: for an adult free of diabetes at the start of a year, the annual
 * onset hazard is {@code exp(-5.8 + 1.8 (HbA1c - 5.5) + 0.06 (BMI - 27) + 0.025 (age - 50) +
 * race term + 0.2 Hispanic + 0.3 [SBP >= 140])}, with HbA1c, BMI and SBP the latent values that
 * day. The true one-year risk is {@code 1 - exp(-hazard)}. Onset is recorded only at a later
 * visit, most often when an HbA1c of 6.5% or more is measured.
 */
final class PersonSimulator {
  static final int NO_DAY = Integer.MAX_VALUE;
  private static final double DAYS_PER_YEAR = 365.25;
  /** Person ids are index + 1; event ids are person id * EVENT_ID_SPAN + sequence. */
  static final long EVENT_ID_SPAN = 100_000L;

  private final PopulationPlan plan;
  private final int firstYear;
  /** yearStart[i] is the epoch day of 1 January of year firstYear + i (one extra at the end). */
  private final int[] yearStart;

  PersonSimulator(PopulationPlan plan) {
    this.plan = plan;
    this.firstYear = LocalDate.ofEpochDay(plan.startDay()).getYear();
    int lastYear = LocalDate.ofEpochDay(plan.endDay()).getYear();
    this.yearStart = new int[lastYear - firstYear + 2];
    for (int i = 0; i < yearStart.length; i++) {
      yearStart[i] = (int) LocalDate.of(firstYear + i, 1, 1).toEpochDay();
    }
  }

  void simulate(long personIndex, Output.Sink out) {
    new Person(personIndex, out).simulate();
  }

  // Per-race effects, in SiteProfile race order: White, Black, Asian, AIAN, NHPI, Other.
  private static final int[] RACE_CONCEPT = {Concepts.RACE_WHITE, Concepts.RACE_BLACK,
      Concepts.RACE_ASIAN, Concepts.RACE_AIAN, Concepts.RACE_NHPI, Concepts.NO_MATCH};
  private static final String[] RACE_LABEL =
      {"White", "Black", "Asian", "AIAN", "NHPI", Demographics.RACE_OTHER};
  private static final double[] RACE_BMI = {0, 1.5, -2.5, 2.0, 2.5, 0.5};
  private static final double[] RACE_HBA1C = {0, 0.15, 0.10, 0.15, 0.15, 0.05};
  private static final double[] RACE_HAZARD = {0, 0.25, 0.45, 0.50, 0.45, 0.10};
  private static final double[] RACE_SBP = {0, 5, 0, 1, 1, 0};
  private static final String[] PAYER_UNDER_65 = {"Commercial", "Medicaid", "Uninsured"};

  /** One person's simulation; fields are the person's traits and state. */
  private final class Person {
    private final long personId;
    private final Site site;
    private final Output.Sink out;
    private final Rng life;
    private final Rng care;
    private final Rng bias;

    private boolean female;
    private int race;
    private boolean hispanic;
    private String basePayer;
    private int birthDay;
    private int entryDay;
    private int exitDay;
    private int deathDay = NO_DAY;
    private int onsetDay = NO_DAY;
    private boolean prevalent;
    private boolean labelSuppressed;

    private double bmiStart;
    private double bmiSlope;
    private double hba1cPersonal;
    private double hba1cDrift;
    private double sbpPersonal;
    private double egfrPersonal;
    private boolean hyperlipidemia;
    private boolean depression;

    private int[] visitDays = new int[16];
    private int visits;

    // Care state.
    private long sequence;
    private int recordedOnsetDay = NO_DAY;
    private int metforminDay = NO_DAY;
    private boolean hypertensionRecorded;
    private boolean onLisinopril;
    private boolean prediabetesRecorded;
    private boolean hyperlipidemiaRecorded;
    private boolean onStatin;

    Person(long index, Output.Sink out) {
      this.personId = index + 1;
      this.site = plan.siteOf(index);
      this.out = out;
      this.life = new Rng(plan.seed(), index, Rng.LIFE);
      this.care = new Rng(plan.seed(), index, Rng.CARE);
      this.bias = new Rng(plan.seed(), index, Rng.BIAS);
    }

    void simulate() {
      drawTraits();
      liveThroughHistory();
      labelSuppressed = onsetDay != NO_DAY && bias.chance(strength("under-diagnosis", onsetDay));
      for (int i = 0; i < visits; i++) {
        if (!bias.chance(strength("fewer-visits", visitDays[i]))) {
          receiveCare(visitDays[i]);
        }
      }
      emitPersonTables();
    }

    private void drawTraits() {
      SiteProfile profile = site.profile();
      female = life.chance(0.51);
      race = life.pick(profile.race());
      hispanic = life.chance(profile.hispanic());
      int band = life.pick(profile.age());
      int ageAtStart = SiteProfile.AGE_LOWER[band]
          + life.below(SiteProfile.AGE_UPPER_EXCLUSIVE[band] - SiteProfile.AGE_LOWER[band]);
      birthDay = plan.startDay() - (int) (ageAtStart * DAYS_PER_YEAR) - life.below(365);
      basePayer = PAYER_UNDER_65[life.pick(profile.payer())];

      int span = plan.endDay() - plan.startDay();
      entryDay = life.chance(0.65) ? plan.startDay() : plan.startDay() + life.below((int) (span * 0.7));
      exitDay = life.chance(0.75)
          ? plan.endDay()
          : Math.min(plan.endDay(), entryDay + 365 + life.below(Math.max(1, plan.endDay() - entryDay - 365)));

      boolean child = ageAtStart < 18;
      bmiStart = (child ? 15.5 + 0.4 * ageAtStart : 26.0 + 0.06 * (Math.min(ageAtStart, 65) - 40))
          + RACE_BMI[race] + (hispanic ? 1.0 : 0) + (female && race == 1 ? 1.0 : 0)
          + life.normal(0, child ? 2.0 : 4.5);
      bmiSlope = child ? 0.35 : life.normal(0.10, 0.20);
      hba1cPersonal = life.normal(0, 0.30);
      hba1cDrift = life.normal(0.02, 0.02);
      sbpPersonal = life.normal(0, 11);
      egfrPersonal = life.normal(0, 10);
      hyperlipidemia = life.chance(0.15 + (bmiStart >= 30 ? 0.1 : 0) + (ageAtStart >= 45 ? 0.1 : 0));
      depression = life.chance(0.08);
    }

    /** The life course: onset and death from their hazards, and the days care was sought. */
    private void liveThroughHistory() {
      int entryAge = ageAt(entryDay);
      if (entryAge >= 18) {
        double cumulative = hazard(entryDay) * (entryAge - 18) * 0.5;
        if (life.chance(1 - StrictMath.exp(-cumulative))) {
          prevalent = true;
          onsetDay = entryDay - 1 - life.below(365 * Math.min(8, entryAge - 18) + 1);
        }
      }
      for (int y = yearOf(entryDay); y <= yearOf(exitDay); y++) {
        int from = Math.max(yearStart[y], entryDay);
        int to = Math.min(yearStart[y + 1] - 1, exitDay);
        if (from > to) {
          continue;
        }
        int days = to - from + 1;
        double yearFraction = days / DAYS_PER_YEAR;
        int age = ageAt(from);
        if (onsetDay == NO_DAY && age >= 18) {
          double hazard = hazard(from);
          if (out.wants(Output.TRUTH_PERSON_YEAR_RISK)) {
            out.accept(Output.TRUTH_PERSON_YEAR_RISK, personId, site.id(), firstYear + y, age,
                1 - StrictMath.exp(-hazard));
          }
          if (life.chance(1 - StrictMath.exp(-hazard * yearFraction))) {
            onsetDay = from + life.below(days);
          }
        }
        int count = life.poisson(visitRate(from, age) * yearFraction);
        for (int v = 0; v < count; v++) {
          addVisit(from + life.below(days));
        }
        double mortality = StrictMath.exp(-10.0 + 0.088 * age + (isDiabetic(from) ? 0.45 : 0));
        if (life.chance(1 - StrictMath.exp(-mortality * yearFraction))) {
          deathDay = from + life.below(days);
          exitDay = deathDay;
          if (onsetDay != NO_DAY && onsetDay > deathDay) {
            onsetDay = NO_DAY;
          }
          break;
        }
      }
      Arrays.sort(visitDays, 0, visits);
      while (visits > 0 && visitDays[visits - 1] > exitDay) {
        visits--;
      }
    }

    private double hazard(int day) {
      int age = ageAt(day);
      double linear = -5.8 + 1.8 * (hba1cBeforeOnset(day) - 5.5) + 0.06 * (bmi(day) - 27)
          + 0.025 * (age - 50) + RACE_HAZARD[race] + (hispanic ? 0.2 : 0)
          + (sbp(day) >= 140 ? 0.3 : 0);
      return StrictMath.exp(linear);
    }

    private double visitRate(int day, int age) {
      double rate = 0.9 + 0.03 * Math.max(0, age - 30) + (age < 5 ? 2.0 : 0)
          + (isDiabetic(day) ? 0.8 : 0) + (sbp(day) >= 140 ? 0.4 : 0) + (bmi(day) >= 30 ? 0.3 : 0);
      if (female && age >= 18) {
        rate *= 1.15;
      }
      return rate * switch (payer(day)) {
        case "Uninsured" -> 0.45;
        case "Medicaid" -> 0.9;
        case "Medicare" -> 1.05;
        default -> 1.0;
      };
    }

    private void addVisit(int day) {
      if (visits == visitDays.length) {
        visitDays = Arrays.copyOf(visitDays, visits * 2);
      }
      visitDays[visits++] = day;
    }

    /** One visit: its row, what was measured, diagnosed and prescribed. */
    private void receiveCare(int day) {
      if (sequence >= EVENT_ID_SPAN - 16) {
        return;
      }
      int age = ageAt(day);
      boolean adult = age >= 18;
      double u = care.uniform();
      int visitConcept = u < 0.05 ? Concepts.VISIT_EMERGENCY
          : u < 0.08 ? Concepts.VISIT_INPATIENT : Concepts.VISIT_OUTPATIENT;
      int endDay = visitConcept == Concepts.VISIT_INPATIENT
          ? Math.min(exitDay, day + 1 + care.below(5)) : day;
      long visitId = nextId();
      emit(Output.VISIT_OCCURRENCE, visitId, personId, visitConcept, day, endDay,
          Concepts.TYPE_EHR, (long) site.index() + 1, visitSource(visitConcept));
      boolean emergency = visitConcept == Concepts.VISIT_EMERGENCY;
      boolean t2dRecorded = recordedOnsetDay != NO_DAY;
      double missedLabs = strength("missing-labs", day);

      double bmi = bmi(day);
      double bmiMeasured = Double.NaN;
      if (!emergency && care.chance(adult ? 0.7 : 0.5)) {
        bmiMeasured = round1(bmi + care.normal(0, 0.4));
        measure(visitId, day, Concepts.BMI, bmiMeasured, Concepts.UNIT_KG_PER_M2, "kg/m2",
            "39156-5");
      }
      double sbpMeasured = Double.NaN;
      if (care.chance(emergency ? 0.6 : 0.85)) {
        sbpMeasured = Math.rint(sbp(day) + care.normal(0, 7));
        measure(visitId, day, Concepts.SYSTOLIC_BP, sbpMeasured, Concepts.UNIT_MM_HG, "mm[Hg]",
            "8480-6");
      }
      double hba1cMeasured = Double.NaN;
      double hba1cChance = Math.min(0.95, 0.10 + (bmi >= 30 ? 0.2 : 0) + (age >= 45 ? 0.15 : 0)
          + (t2dRecorded ? 0.55 : 0) + (prediabetesRecorded ? 0.3 : 0));
      boolean hba1cOrdered = care.chance(hba1cChance);
      if (adult && !emergency && hba1cOrdered && !bias.chance(missedLabs)) {
        hba1cMeasured = round1(hba1c(day) + care.normal(0, 0.12));
        measure(visitId, day, Concepts.HBA1C, hba1cMeasured, Concepts.UNIT_PERCENT, "%",
            "4548-4");
      }
      double egfrChance = 0.12 + (t2dRecorded ? 0.4 : 0) + (hypertensionRecorded ? 0.2 : 0)
          + (age >= 65 ? 0.1 : 0);
      boolean egfrOrdered = care.chance(egfrChance);
      if (adult && !emergency && egfrOrdered && !bias.chance(missedLabs)) {
        measure(visitId, day, Concepts.EGFR, Math.rint(egfr(day) + care.normal(0, 5)),
            Concepts.UNIT_ML_MIN_173M2, "mL/min/{1.73_m2}", "33914-3");
      }

      diagnoseDiabetes(visitId, day, hba1cMeasured);
      if (!t2dRecorded && recordedOnsetDay == NO_DAY && !prediabetesRecorded
          && hba1cMeasured >= 5.7 && hba1cMeasured < 6.5 && care.chance(0.5)) {
        prediabetesRecorded = true;
        condition(visitId, day, Concepts.PREDIABETES, "R73.03", false);
      }
      if (sbpMeasured >= 140 && !hypertensionRecorded && care.chance(0.5)) {
        hypertensionRecorded = true;
        condition(visitId, day, Concepts.HYPERTENSION, "I10", false);
        onLisinopril = care.chance(0.7);
        if (onLisinopril) {
          prescribe(visitId, day, Concepts.LISINOPRIL, "lisinopril 10 MG Oral Tablet");
        }
      } else if (hypertensionRecorded && care.chance(0.45)) {
        condition(visitId, day, Concepts.HYPERTENSION, "I10", false);
        if (onLisinopril && care.chance(0.8)) {
          prescribe(visitId, day, Concepts.LISINOPRIL, "lisinopril 10 MG Oral Tablet");
        }
      }
      if (bmiMeasured >= 30 && care.chance(0.2)) {
        condition(visitId, day, Concepts.OBESITY, "E66.9", false);
      }
      if (hyperlipidemia && adult && care.chance(0.2)) {
        condition(visitId, day, Concepts.HYPERLIPIDEMIA, "E78.5", false);
        if (!hyperlipidemiaRecorded) {
          hyperlipidemiaRecorded = true;
          onStatin = care.chance(0.6);
        }
        if (onStatin && care.chance(0.8)) {
          prescribe(visitId, day, Concepts.ATORVASTATIN, "atorvastatin 20 MG Oral Tablet");
        }
      }
      if (care.chance(0.06)) {
        condition(visitId, day, Concepts.UPPER_RESPIRATORY_INFECTION, "J06.9", true);
      }
      if (adult && care.chance(0.04)) {
        condition(visitId, day, Concepts.LOW_BACK_PAIN, "M54.5", true);
      }
      if (depression && care.chance(0.25)) {
        condition(visitId, day, Concepts.DEPRESSIVE_DISORDER, "F32.9", false);
      }
    }

    /**
     * A true diabetic is diagnosed at a visit: nearly always when a diagnostic HbA1c is seen,
     * sometimes on clinical suspicion; prevalent cases are recorded as history. Once recorded,
     * follow-up visits code it again and renew metformin.
     */
    private void diagnoseDiabetes(long visitId, int day, double hba1cMeasured) {
      if (recordedOnsetDay == NO_DAY) {
        if (!isDiabetic(day) || labelSuppressed) {
          return;
        }
        double detection = prevalent ? 0.85 : hba1cMeasured >= 6.5 ? 0.9 : 0.25;
        if (!care.chance(detection)) {
          return;
        }
        recordedOnsetDay = day;
        diabetesCondition(visitId, day);
        if (care.chance(0.8)) {
          metforminDay = day;
          prescribe(visitId, day, Concepts.METFORMIN, "metformin 500 MG Oral Tablet");
        }
      } else if (care.chance(0.6)) {
        diabetesCondition(visitId, day);
        if (metforminDay != NO_DAY && care.chance(0.85)) {
          prescribe(visitId, day, Concepts.METFORMIN, "metformin 500 MG Oral Tablet");
        }
      }
    }

    /** Under a coding shift the diagnosis keeps its ICD-10 code but loses its standard concept. */
    private void diabetesCondition(long visitId, int day) {
      boolean unmapped = bias.chance(strength("coding-shift", day));
      long id = nextId();
      emit(Output.CONDITION_OCCURRENCE, id, personId,
          unmapped ? Concepts.NO_MATCH : Concepts.TYPE_2_DIABETES, day, null, Concepts.TYPE_EHR,
          visitId, "E11.9", null);
    }

    private void condition(long visitId, int day, int concept, String icd10, boolean acute) {
      emit(Output.CONDITION_OCCURRENCE, nextId(), personId, concept, day, acute ? day + 7 : null,
          Concepts.TYPE_EHR, visitId, icd10, null);
    }

    private void prescribe(long visitId, int day, int concept, String source) {
      emit(Output.DRUG_EXPOSURE, nextId(), personId, concept, day, day + 89, Concepts.TYPE_EHR,
          180.0, 90, visitId, source);
    }

    private void measure(long visitId, int day, int concept, double value, int unit,
        String unitSource, String loinc) {
      emit(Output.MEASUREMENT, nextId(), personId, concept, day, Concepts.TYPE_EHR, value, unit,
          unitSource, visitId, loinc);
    }

    private void emitPersonTables() {
      if (out.wants(Output.PERSON)) {
        LocalDate birth = LocalDate.ofEpochDay(birthDay);
        emit(Output.PERSON, personId, female ? Concepts.FEMALE : Concepts.MALE,
            birth.getYear(), birth.getMonthValue(), birth.getDayOfMonth(), RACE_CONCEPT[race],
            hispanic ? Concepts.HISPANIC : Concepts.NOT_HISPANIC, (long) site.index() + 1,
            sourceValue(), female ? "F" : "M", RACE_LABEL[race],
            hispanic ? "Hispanic or Latino" : "Not Hispanic or Latino");
      }
      emit(Output.OBSERVATION_PERIOD, personId, personId, entryDay, exitDay, Concepts.TYPE_EHR);
      if (out.wants(Output.PAYER_PLAN_PERIOD)) {
        int medicareDay = birthDay + (int) Math.ceil(65 * DAYS_PER_YEAR);
        if (medicareDay > entryDay) {
          emit(Output.PAYER_PLAN_PERIOD, personId * EVENT_ID_SPAN, personId, entryDay,
              Math.min(exitDay, medicareDay - 1), basePayer);
        }
        if (medicareDay <= exitDay) {
          emit(Output.PAYER_PLAN_PERIOD, personId * EVENT_ID_SPAN + 1, personId,
              Math.max(entryDay, medicareDay), exitDay, "Medicare");
        }
      }
      if (deathDay != NO_DAY) {
        emit(Output.DEATH, personId, deathDay, Concepts.TYPE_EHR);
      }
      emit(Output.TRUTH_PERSON_ONSET, personId, site.id(),
          onsetDay == NO_DAY ? null : onsetDay,
          recordedOnsetDay == NO_DAY ? null : recordedOnsetDay, prevalent, labelSuppressed);
    }

    private void emit(Output table, Object... values) {
      if (out.wants(table)) {
        Object[] released = plan.release().shape(table, values, entryDay);
        if (released != null) {
          out.accept(table, released);
        }
      }
    }

    private long nextId() {
      return personId * EVENT_ID_SPAN + 2 + sequence++;
    }

    /** The combined strength of the biases of this kind that apply to this person on a day. */
    private double strength(String kind, int day) {
      double spared = 1.0;
      for (BiasRule rule : plan.biases()) {
        if (rule.kind().equals(kind) && rule.value().equals(attribute(rule.attribute(), day))) {
          spared *= 1.0 - rule.strength();
        }
      }
      return 1.0 - spared;
    }

    private String attribute(String name, int day) {
      return switch (name) {
        case "race" -> RACE_LABEL[race];
        case "ethnicity" -> hispanic ? "Hispanic" : "NotHispanic";
        case "sex" -> female ? "F" : "M";
        case "site" -> site.id();
        case "payer" -> payer(day);
        case "age-band" -> Demographics.ageBand(ageAt(day));
        default -> throw new IllegalArgumentException("Unknown bias attribute " + name);
      };
    }

    private String payer(int day) {
      return ageAt(day) >= 65 ? "Medicare" : basePayer;
    }

    private String sourceValue() {
      String digits = Long.toString(personId);
      return site.id() + "-" + "0".repeat(Math.max(0, 9 - digits.length())) + digits;
    }

    private int ageAt(int day) {
      return (int) ((day - birthDay) / DAYS_PER_YEAR);
    }

    private int yearOf(int day) {
      int i = 0;
      while (i + 1 < yearStart.length - 1 && yearStart[i + 1] <= day) {
        i++;
      }
      return i;
    }

    private boolean isDiabetic(int day) {
      return onsetDay != NO_DAY && day >= onsetDay;
    }

    private double years(int day) {
      return (day - plan.startDay()) / DAYS_PER_YEAR;
    }

    private double bmi(int day) {
      return clamp(bmiStart + bmiSlope * years(day), 13, 65);
    }

    private double hba1cBeforeOnset(int day) {
      return 4.9 + 0.035 * (bmi(day) - 26) + 0.012 * Math.max(0, ageAt(day) - 30)
          + RACE_HBA1C[race] + hba1cPersonal + hba1cDrift * years(day);
    }

    private double hba1c(int day) {
      double value = hba1cBeforeOnset(day);
      if (isDiabetic(day)) {
        value += 1.4 + 0.15 * (day - onsetDay) / DAYS_PER_YEAR;
      }
      if (metforminDay != NO_DAY && day > metforminDay) {
        value -= 0.6;
      }
      return clamp(value, 4.0, 14.0);
    }

    private double sbp(int day) {
      int age = ageAt(day);
      return (age < 18 ? 95 + 0.8 * age : 100 + 0.6 * (age - 18)) + 0.6 * (bmi(day) - 26)
          + RACE_SBP[race] + sbpPersonal;
    }

    private double egfr(int day) {
      double value = 125 - 0.9 * Math.max(0, ageAt(day) - 20) + egfrPersonal;
      if (isDiabetic(day)) {
        value -= (day - onsetDay) / DAYS_PER_YEAR;
      }
      return clamp(value, 5, 150);
    }
  }

  private static String visitSource(int concept) {
    return switch (concept) {
      case Concepts.VISIT_INPATIENT -> "IP";
      case Concepts.VISIT_EMERGENCY -> "ER";
      default -> "OP";
    };
  }

  private static double round1(double value) {
    return Math.rint(value * 10) / 10;
  }

  private static double clamp(double value, double low, double high) {
    return Math.max(low, Math.min(high, value));
  }
}
