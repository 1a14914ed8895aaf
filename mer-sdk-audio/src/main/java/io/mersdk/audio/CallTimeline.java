package io.mersdk.audio;

import io.mersdk.AudioException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.Segment;
import io.mersdk.Utterance;
import io.mersdk.source.AudioSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emotion over time per party of a call: each channel of the recording is one party (the agent on
 * one, the customer on the other, as call recorders write them), segmented on its own with the
 * {@link Segmenter}; the utterances of all parties are recognised together in batches by the one
 * recogniser; every segment comes back tagged with its {@link Party}. Speech of two parties at the
 * same time stays with each party (two overlapping segments).
 *
 * <pre>{@code
 * CallTimeline calls = CallTimeline.builder(recognizer).parties("agent", "customer").build();
 * CallResult call = calls.run(AudioSources.channels(Path.of("call-stereo.wav")));
 * for (PartySegment s : call.segments()) {
 *   System.out.println(s.party().name() + " " + s.start() + " " + s.result().label());
 * }
 * }</pre>
 *
 * <p>Per channel the rules are {@link Timeline}'s (same segmenter options, the same lowering of
 * {@code maxSegment} to the bundle's ASR window, the same handling of NO_SPEECH and FAILED), so a
 * mono recording gives one party whose segments equal {@link Timeline#run} of the file. Party
 * names default to {@code agent}, {@code customer} for two channels, {@code speaker} for one and
 * {@code channel-0}, {@code channel-1}, ... otherwise. Thread-safe if the recogniser is.
 */
public final class CallTimeline {
  private static final Logger LOG = LoggerFactory.getLogger(CallTimeline.class);

  /** The names of the two parties of a stereo call when none are given. */
  public static final List<String> STEREO_PARTIES = List.of("agent", "customer");

  private final EmotionRecognizer recognizer;
  private final Segmenter segmenter;
  private final int batchSize;
  private final boolean keepNoSpeech;
  private final List<String> names;

  private CallTimeline(Builder b, SegmenterOptions segmenter) {
    this.recognizer = b.recognizer;
    this.segmenter = Segmenter.of(segmenter);
    this.batchSize = b.batchSize;
    this.keepNoSpeech = b.keepNoSpeech;
    this.names = b.names;
  }

  public static Builder builder(EmotionRecognizer recognizer) {
    return new Builder(Objects.requireNonNull(recognizer, "recognizer"));
  }

  /** The segmenter options used per channel (after fitting {@code maxSegment} to the bundle). */
  public SegmenterOptions segmenterOptions() {
    return segmenter.options();
  }

  /**
   * Reads every channel of {@code source} at the recogniser's rate and recognises each party's
   * utterances.
   *
   * @throws AudioException if the source cannot be read, or its channel count differs from the
   *     number of party names given to the builder
   */
  public CallResult run(ChannelSource source) {
    Objects.requireNonNull(source, "source");
    return run(source.readChannels(recognizer.bundle().sampleRate()), source.description());
  }

  /** A mono recording: one party. */
  public CallResult run(AudioSource source) {
    Objects.requireNonNull(source, "source");
    return run(new float[][] {source.readMono(recognizer.bundle().sampleRate())},
        source.description());
  }

  /**
   * Recognises each party of {@code channels}, {@code [channel][sample]} at the recogniser's rate,
   * every channel of one length.
   */
  public CallResult run(float[][] channels) {
    Objects.requireNonNull(channels, "channels");
    return run(channels, channels.length + "-channel samples");
  }

  private CallResult run(float[][] channels, String description) {
    Objects.requireNonNull(channels, "channels");
    List<Party> parties = parties(channels.length, description);
    int rate = recognizer.bundle().sampleRate();
    List<Part> parts = new ArrayList<>();
    long length = -1;
    for (int c = 0; c < channels.length; c++) {
      Objects.requireNonNull(channels[c], "channels[" + c + "]");
      if (length >= 0 && channels[c].length != length) {
        throw new IllegalArgumentException("channels[" + c + "]: every channel must hold as many"
            + " samples as channel 0 (" + length + "), got " + channels[c].length);
      }
      length = channels[c].length;
      for (SpeechSegment s : segmenter.segment(channels[c], rate)) {
        parts.add(new Part(parties.get(c), s));
      }
    }
    // Parties interleaved in time, so one batch holds the utterances of whoever spoke then.
    parts.sort(Comparator.comparingLong((Part p) -> p.speech().startSample())
        .thenComparingInt(p -> p.party().channel()));
    List<PartySegment> out = new ArrayList<>(parts.size());
    for (int from = 0; from < parts.size(); from += batchSize) {
      List<Part> batch = parts.subList(from, Math.min(parts.size(), from + batchSize));
      List<Utterance> utterances = new ArrayList<>(batch.size());
      for (Part p : batch) {
        utterances.add(Utterance.of(p.speech().samples()));
      }
      List<EmotionResult> results = recognizer.recognizeBatch(utterances);
      for (int i = 0; i < batch.size(); i++) {
        Part p = batch.get(i);
        EmotionResult r = results.get(i);
        if (keepNoSpeech || !r.isNoSpeech()) { // as Timeline: FAILED stays, NO_SPEECH goes
          out.add(new PartySegment(p.party(),
              new Segment(p.speech().start(), p.speech().end(), r)));
        }
      }
    }
    Duration duration = Duration.ofNanos(Math.round(Math.max(length, 0) * 1e9 / rate));
    LOG.debug("call timeline: {} parties, {} samples at {} Hz, {} segments", parties.size(),
        length, rate, out.size());
    return new CallResult(parties, out, duration);
  }

  private List<Party> parties(int channels, String description) {
    if (channels == 0) {
      throw new AudioException(description + ": has no channels");
    }
    List<String> use = names != null ? names : defaultNames(channels);
    if (use.size() != channels) {
      throw new AudioException(description + ": has " + channels + " channel"
          + (channels == 1 ? "" : "s") + " but " + use.size() + " party names were given"
          + " (CallTimeline.Builder.parties: " + String.join(", ", use) + ")");
    }
    List<Party> out = new ArrayList<>(channels);
    for (int c = 0; c < channels; c++) {
      out.add(new Party(c, use.get(c)));
    }
    return out;
  }

  /** The names a call of {@code channels} channels gets when none are given. */
  public static List<String> defaultNames(int channels) {
    if (channels == 1) {
      return List.of("speaker");
    }
    if (channels == 2) {
      return STEREO_PARTIES;
    }
    List<String> out = new ArrayList<>(channels);
    for (int c = 0; c < channels; c++) {
      out.add("channel-" + c);
    }
    return out;
  }

  private record Part(Party party, SpeechSegment speech) {}

  /** Builder; {@link #build()} checks the settings and names the bad one. */
  public static final class Builder {
    private final EmotionRecognizer recognizer;
    private SegmenterOptions segmenter = SegmenterOptions.defaults();
    private int batchSize = 4;
    private boolean keepNoSpeech;
    private List<String> names;

    private Builder(EmotionRecognizer recognizer) {
      this.recognizer = recognizer;
    }

    /**
     * The parties' names in channel order; the recording must have exactly as many channels.
     * Default: {@link CallTimeline#defaultNames}.
     */
    public Builder parties(String... names) {
      return parties(List.of(Objects.requireNonNull(names, "names")));
    }

    public Builder parties(List<String> names) {
      this.names = List.copyOf(Objects.requireNonNull(names, "names"));
      return this;
    }

    /** The segmenter settings, applied to every channel; default {@link SegmenterOptions#defaults()}. */
    public Builder segmenter(SegmenterOptions segmenter) {
      this.segmenter = Objects.requireNonNull(segmenter, "segmenter");
      return this;
    }

    /** Utterances (of any party) per {@link EmotionRecognizer#recognizeBatch} call; default 4. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** As {@link Timeline.Builder#keepNoSpeech}: off by default. */
    public Builder keepNoSpeech(boolean keep) {
      this.keepNoSpeech = keep;
      return this;
    }

    public CallTimeline build() {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize: must be >= 1, got " + batchSize);
      }
      if (names != null) {
        if (names.isEmpty()) {
          throw new IllegalArgumentException("parties: give at least one name");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
          String n = names.get(i);
          if (n.isBlank()) {
            throw new IllegalArgumentException("parties[" + i + "]: must not be blank");
          }
          if (!seen.add(n)) {
            throw new IllegalArgumentException("parties[" + i + "]: '" + n + "' is given twice;"
                + " party names must differ");
          }
        }
      }
      SegmenterOptions options = segmenter;
      var window = recognizer.bundle().asrWindow();
      if (window.isPresent() && window.get().compareTo(options.maxSegment()) < 0) {
        // As Timeline: the recogniser refuses utterances longer than the Whisper window.
        options = options.toBuilder().maxSegment(window.get()).build();
      }
      return new CallTimeline(this, options);
    }
  }
}
