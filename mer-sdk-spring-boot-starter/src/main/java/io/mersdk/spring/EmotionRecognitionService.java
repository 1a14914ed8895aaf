package io.mersdk.spring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.SpeechDecision;
import io.mersdk.StageTimings;
import io.mersdk.Utterance;
import io.mersdk.source.AudioSource;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The shared {@link EmotionRecognizer} with metrics and an observation per call: what an
 * application calls instead of the recogniser itself (which stays reachable through {@link
 * #recognizer()} for anything this class does not wrap). Same contract as the recogniser's methods
 * of the same name: thread-safe, single calls throw a failed item's typed exception, batches give
 * every item its own outcome.
 *
 * <p>Meters (every one tagged {@code bundle} with the bundle id), see docs/spring-boot.md:
 *
 * <ul>
 *   <li>{@code mer.stage} timer, tag {@code stage} ({@link StageTimings.Stage#key()}): one sample per
 *       call and stage that ran; for a batch the padded batch's stage time (its results share it),
 *       the speech gate summed over the items
 *   <li>{@code mer.results} counter, tag {@code label}: emotion results by label
 *   <li>{@code mer.no_speech} counter, tag {@code basis}: results without speech, by what decided
 *   <li>{@code mer.errors} counter, tag {@code type}: failed items and failed calls, by exception
 *       class
 *   <li>{@code mer.in_flight} gauge: calls running now
 * </ul>
 *
 * <p>Each call is also an {@link Observation} named {@code mer.recognition} (a trace span when
 * tracing is configured; a timer of that name when Boot's metrics handler is), with low-cardinality
 * keys {@code mer.call}, {@code mer.bundle} and {@code mer.outcome}.
 */
public class EmotionRecognitionService {
  /** The observation's name. */
  public static final String OBSERVATION = "mer.recognition";

  private final EmotionRecognizer recognizer;
  private final MeterRegistry meters;
  private final ObservationRegistry observations;
  private final String bundleId;
  private final Tags bundleTag;
  private final EnumMap<StageTimings.Stage, Timer> stages = new EnumMap<>(StageTimings.Stage.class);
  private final Map<String, Counter> byLabel = new HashMap<>();
  private final EnumMap<SpeechDecision.Basis, Counter> noSpeech = new EnumMap<>(SpeechDecision.Basis.class);
  private final Map<Class<?>, Counter> errors = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  /**
   * @param recognizer the recogniser (not closed by this service: its owner, the context, closes it)
   * @param meters where the meters go ({@code new SimpleMeterRegistry()} or any registry)
   * @param observations where the observations go ({@link ObservationRegistry#NOOP} for none)
   */
  public EmotionRecognitionService(
      EmotionRecognizer recognizer, MeterRegistry meters, ObservationRegistry observations) {
    if (recognizer == null || meters == null || observations == null) {
      throw new IllegalArgumentException("recognizer, meters and observations must not be null");
    }
    this.recognizer = recognizer;
    this.meters = meters;
    this.observations = observations;
    this.bundleId = recognizer.bundle().bundleId();
    this.bundleTag = Tags.of("bundle", bundleId);
    // Meters the bundle's shape bounds are made once: the hot path only looks up its own maps.
    for (StageTimings.Stage s : StageTimings.Stage.values()) {
      stages.put(s, Timer.builder("mer.stage").description("Time in one stage of a recognition call")
          .tags(bundleTag).tag("stage", s.key()).register(meters));
    }
    for (String label : recognizer.labels()) {
      byLabel.put(label, Counter.builder("mer.results").description("Emotion results by label")
          .tags(bundleTag).tag("label", label).register(meters));
    }
    for (SpeechDecision.Basis b : SpeechDecision.Basis.values()) {
      noSpeech.put(b, Counter.builder("mer.no_speech").description("Results without speech")
          .tags(bundleTag).tag("basis", b.name().toLowerCase(java.util.Locale.ROOT)).register(meters));
    }
    Gauge.builder("mer.in_flight", inFlight, AtomicInteger::get)
        .description("Recognition calls running now").tags(bundleTag).register(meters);
  }

  /** The recogniser this service calls. */
  public EmotionRecognizer recognizer() {
    return recognizer;
  }

  /** {@link EmotionRecognizer#recognize(float[])}, metered. */
  public EmotionResult recognize(float[] samples) {
    return single("samples", () -> recognizer.recognize(samples));
  }

  /** {@link EmotionRecognizer#recognize(float[], String)}, metered. */
  public EmotionResult recognize(float[] samples, String transcript) {
    return single("samples", () -> recognizer.recognize(samples, transcript));
  }

  /** {@link EmotionRecognizer#recognize(Utterance)}, metered. */
  public EmotionResult recognize(Utterance utterance) {
    return single("utterance", () -> recognizer.recognize(utterance));
  }

  /** {@link EmotionRecognizer#recognize(AudioSource)} (decoding included in the call), metered. */
  public EmotionResult recognize(AudioSource source) {
    return single("source", () -> recognizer.recognize(source));
  }

  /** {@link EmotionRecognizer#recognizeBatch(List)}, metered: every item counts in the counters. */
  public List<EmotionResult> recognizeBatch(List<Utterance> utterances) {
    return metered("batch", () -> recognizer.recognizeBatch(utterances), results -> results,
        results -> "batch");
  }

  /**
   * Runs {@code work}, which calls {@link #recognizer()} itself (a {@code CallTimeline}, say),
   * as one observed call named {@code call}, and counts the results it returns.
   */
  <T> T observed(String call, Supplier<T> work, Function<T, List<EmotionResult>> results) {
    return metered(call, work, results, t -> call);
  }

  private EmotionResult single(String call, Supplier<EmotionResult> work) {
    return metered(call, work, List::of, EmotionRecognitionService::outcome);
  }

  /**
   * The one metering wrapper: {@code work} runs as an observation named {@code call} and counted
   * in flight; its results go to the counters and timers; the observation's outcome is
   * {@code outcome} of what it returned, or "failed" (and the error counted) when it threw.
   */
  private <T> T metered(String call, Supplier<T> work, Function<T, List<EmotionResult>> results,
      Function<T, String> outcome) {
    Observation obs = start(call);
    inFlight.incrementAndGet();
    try (Observation.Scope ignored = obs.openScope()) {
      T t = work.get();
      record(results.apply(t));
      obs.lowCardinalityKeyValue("mer.outcome", outcome.apply(t));
      return t;
    } catch (RuntimeException e) {
      failed(obs, e);
      throw e;
    } finally {
      inFlight.decrementAndGet();
      obs.stop();
    }
  }

  private Observation start(String call) {
    return Observation.createNotStarted(OBSERVATION, observations)
        .contextualName("mer recognize")
        .lowCardinalityKeyValue("mer.call", call)
        .lowCardinalityKeyValue("mer.bundle", bundleId)
        .start();
  }

  private void failed(Observation obs, RuntimeException e) {
    error(e);
    obs.lowCardinalityKeyValue("mer.outcome", "failed");
    obs.error(e);
  }

  private void record(List<EmotionResult> results) {
    EnumMap<StageTimings.Stage, Duration> call = new EnumMap<>(StageTimings.Stage.class);
    for (EmotionResult r : results) {
      switch (r.outcome()) {
        case EMOTION -> {
          Counter c = byLabel.get(r.label());
          (c != null ? c : meters.counter("mer.results", bundleTag.and("label", r.label()))).increment();
        }
        case NO_SPEECH -> noSpeech.get(r.speech().basis()).increment();
        case FAILED -> error(r.error());
      }
      for (StageTimings.Stage s : StageTimings.Stage.values()) {
        Duration d = r.timings().get(s);
        if (d.isZero()) {
          continue; // did not run
        }
        // The gate runs per item; the model stages and the total are the batch's, shared.
        call.merge(s, d, s == StageTimings.Stage.SPEECH_GATE ? Duration::plus
            : (a, b) -> a.compareTo(b) >= 0 ? a : b);
      }
    }
    call.forEach((s, d) -> stages.get(s).record(d));
  }

  private void error(Throwable e) {
    errors.computeIfAbsent(e.getClass(), k -> Counter.builder("mer.errors")
        .description("Failed recognition items and calls by exception type")
        .tags(bundleTag).tag("type", k.getSimpleName()).register(meters)).increment();
  }

  private static String outcome(EmotionResult r) {
    return r.outcome().name().toLowerCase(java.util.Locale.ROOT);
  }
}
