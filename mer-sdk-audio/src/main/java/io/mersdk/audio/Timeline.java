package io.mersdk.audio;

import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import io.mersdk.Utterance;
import io.mersdk.source.AudioSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emotion over time for a long recording: split it into utterances with the {@link Segmenter},
 * recognise them in batches, and return one {@link Segment} (start, end, result) per utterance
 * that holds speech. An utterance the recogniser calls {@link io.mersdk.Outcome#NO_SPEECH} gets no
 * segment; one that {@link io.mersdk.Outcome#FAILED} keeps its segment, whose result carries the
 * error. Thread-safe if the recogniser is (it is).
 *
 * <pre>{@code
 * Timeline timeline = Timeline.builder(recognizer).build();
 * for (Segment s : timeline.run(AudioSources.of(Path.of("meeting.wav")))) {
 *   if (s.result().isEmotion()) {
 *     System.out.println(s.start() + "-" + s.end() + " " + s.result().label());
 *   }
 * }
 * }</pre>
 *
 * <p>A recording of silence gives an empty list (the recogniser is not called). No segment is
 * longer than {@link SegmenterOptions#maxSegment()} (30 s by default, Whisper's window and the
 * {@code audio.n_samples} of every bundle mer-train makes): longer speech is cut into several
 * segments, never truncated. For a bundle with a shorter ASR window ({@link
 * io.mersdk.BundleInfo#asrWindow()}, e.g. the 8 s of the demo bundle) {@link Builder#build()}
 * lowers {@code maxSegment} to that window, so every segment is one the recogniser accepts. See
 * docs/audio.md.
 */
public final class Timeline {
  private static final Logger LOG = LoggerFactory.getLogger(Timeline.class);

  private final EmotionRecognizer recognizer;
  private final Segmenter segmenter;
  private final int batchSize;
  private final boolean keepNoSpeech;

  private Timeline(Builder b) {
    this.recognizer = b.recognizer;
    this.segmenter = Segmenter.of(b.segmenter);
    this.batchSize = b.batchSize;
    this.keepNoSpeech = b.keepNoSpeech;
  }

  public static Builder builder(EmotionRecognizer recognizer) {
    return new Builder(Objects.requireNonNull(recognizer, "recognizer"));
  }

  /**
   * Reads {@code source} at the recogniser's sample rate and recognises each utterance.
   *
   * @throws io.mersdk.AudioException if the source cannot be read
   */
  public List<Segment> run(AudioSource source) {
    Objects.requireNonNull(source, "source");
    return run(source.readMono(recognizer.bundle().sampleRate()));
  }

  /** Recognises each utterance of {@code samples}, mono at the recogniser's sample rate. */
  public List<Segment> run(float[] samples) {
    Objects.requireNonNull(samples, "samples");
    int rate = recognizer.bundle().sampleRate();
    List<SpeechSegment> parts = segmenter.segment(samples, rate);
    List<Segment> out = new ArrayList<>(parts.size());
    for (int from = 0; from < parts.size(); from += batchSize) {
      List<SpeechSegment> batch = parts.subList(from, Math.min(parts.size(), from + batchSize));
      List<Utterance> utterances = new ArrayList<>(batch.size());
      for (SpeechSegment s : batch) {
        utterances.add(Utterance.of(s.samples()));
      }
      List<EmotionResult> results = recognizer.recognizeBatch(utterances);
      for (int i = 0; i < batch.size(); i++) {
        SpeechSegment s = batch.get(i);
        EmotionResult r = results.get(i);
        // Nobody speaks there after all (the gate or Whisper's evidence said so): no segment. A
        // FAILED segment stays, with its typed exception, so the caller sees what was skipped.
        if (keepNoSpeech || !r.isNoSpeech()) {
          out.add(new Segment(s.start(), s.end(), r));
        }
      }
    }
    LOG.debug("timeline: {} samples at {} Hz, {} segments", samples.length, rate, out.size());
    return out;
  }

  /** Builder; {@link #build()} checks the settings and names the bad one. */
  public static final class Builder {
    private final EmotionRecognizer recognizer;
    private SegmenterOptions segmenter = SegmenterOptions.defaults();
    private int batchSize = 4;
    private boolean keepNoSpeech;

    private Builder(EmotionRecognizer recognizer) {
      this.recognizer = recognizer;
    }

    public Builder segmenter(SegmenterOptions segmenter) {
      this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
      return this;
    }

    /** Utterances per {@link EmotionRecognizer#recognizeBatch} call; default 4. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Off by default. On: an utterance the recogniser calls {@link io.mersdk.Outcome#NO_SPEECH}
     * keeps its segment (with that result), for callers that show everything the segmenter heard,
     * such as the {@code mer} command line.
     */
    public Builder keepNoSpeech(boolean keep) {
      this.keepNoSpeech = keep;
      return this;
    }

    public Timeline build() {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize: must be >= 1, got " + batchSize);
      }
      var window = recognizer.bundle().asrWindow();
      if (window.isPresent() && window.get().compareTo(segmenter.maxSegment()) < 0) {
        // The recogniser refuses utterances longer than the Whisper window; cut speech to fit it.
        LOG.debug("timeline: maxSegment {} lowered to the bundle's ASR window {}",
            segmenter.maxSegment(), window.get());
        segmenter = segmenter.toBuilder().maxSegment(window.get()).build();
      }
      return new Timeline(this);
    }
  }
}
