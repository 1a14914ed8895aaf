package io.mersdk.spring;

import io.mersdk.audio.CallResult;
import io.mersdk.audio.CallSummarizer;
import io.mersdk.audio.CallSummary;
import io.mersdk.audio.CallTimeline;
import io.mersdk.audio.SegmenterOptions;
import io.mersdk.audio.ChannelSource;
import io.mersdk.audio.PartySegment;
import java.util.List;
import java.util.Objects;

/**
 * Calls with their parties apart (docs/calls.md): each channel of a recording is a party,
 * segmented on its own and recognised by the shared recogniser; the answer carries every party's
 * segments and the call summary. Made by {@link MerCallAutoConfiguration} when mer-sdk-audio is on
 * the class path, from the {@code mer.call.*} properties ({@link MerCallProperties}). Each call
 * is one observation {@code mer.recognition} with {@code mer.call=call}, and its segments count in
 * the service's result counters. Thread-safe.
 *
 * <pre>{@code
 * CallRecognitionService.Call c = calls.recognize(AudioSources.channels(Path.of("call.wav")));
 * c.summary().of(c.result().party("customer")).trend().direction();
 * }</pre>
 */
public class CallRecognitionService {
  /** A call's segments and its summary. */
  public record Call(CallResult result, CallSummary summary) {}

  private final EmotionRecognitionService service;
  private final CallTimeline timeline;
  private final CallSummarizer summarizer;

  /** @throws IllegalArgumentException naming the {@code mer.call.*} property that is wrong */
  public CallRecognitionService(EmotionRecognitionService service, MerCallProperties p) {
    this.service = Objects.requireNonNull(service, "service");
    try {
      // mer.speech-gate=false turns the acoustic gate off everywhere: utterances are then cut by
      // frame energy, as the recogniser admits them without the gate
      CallTimeline.Builder b = CallTimeline.builder(service.recognizer())
          .batchSize(p.getBatchSize())
          .segmenter(SegmenterOptions.defaults().toBuilder()
              .speechGate(service.recognizer().speechGate()).build());
      if (p.getParties() != null && !p.getParties().isEmpty()) {
        b.parties(p.getParties());
      }
      this.timeline = b.build();
      this.summarizer = CallSummarizer.builder(service.recognizer().labels())
          .negativeLabels(p.getNegativeLabels() == null ? List.of() : p.getNegativeLabels())
          .trendWindow(p.getTrendWindow()).trendThreshold(p.getTrendThreshold())
          .minGap(p.getMinGap()).build();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("mer.call: " + e.getMessage(), e);
    }
  }

  /** Reads every channel of {@code source} and recognises each party's utterances. */
  public Call recognize(ChannelSource source) {
    Objects.requireNonNull(source, "source");
    return service.observed("call", () -> {
      CallResult r = timeline.run(source);
      return new Call(r, summarizer.summarize(r));
    }, c -> c.result().segments().stream().map(PartySegment::result).toList());
  }

  public CallSummarizer summarizer() {
    return summarizer;
  }
}
