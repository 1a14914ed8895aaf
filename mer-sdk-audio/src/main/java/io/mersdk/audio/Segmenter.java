package io.mersdk.audio;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a long recording into utterances: edges by frame energy, speech or not by the acoustic
 * gate's frame classifier (see {@link SegmenterOptions} for the rules). It is a {@link
 * StreamingSegmenter} fed the whole array at once. Thread-safe: a {@code Segmenter} holds only its
 * options.
 *
 * <pre>{@code
 * List<SpeechSegment> parts = Segmenter.of(SegmenterOptions.defaults()).segment(samples, 16000);
 * }</pre>
 *
 * <p>Silence gives an empty list, and so does audio shorter than {@link
 * SegmenterOptions#MIN_SEGMENT} (0.1 s). No segment is longer than {@link
 * SegmenterOptions#maxSegment()}: longer speech is cut into contiguous pieces, never truncated.
 */
public final class Segmenter {
  private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);
  private final SegmenterOptions options;

  private Segmenter(SegmenterOptions options) {
    this.options = options;
  }

  public static Segmenter of(SegmenterOptions options) {
    return new Segmenter(Objects.requireNonNull(options, "options"));
  }

  public static Segmenter withDefaults() {
    return new Segmenter(SegmenterOptions.defaults());
  }

  public SegmenterOptions options() {
    return options;
  }

  /**
   * Finds the utterances of {@code samples}.
   *
   * @param samples mono samples in [-1, 1]
   * @param sampleRate their rate in Hz
   * @return the segments in order, not overlapping; empty for silence, for audio under 0.1 s and
   *     (with the speech gate on) for audio without speech
   */
  public List<SpeechSegment> segment(float[] samples, int sampleRate) {
    Objects.requireNonNull(samples, "samples");
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate: must be > 0, got " + sampleRate);
    }
    StreamingSegmenter stream = StreamingSegmenter.of(options, sampleRate);
    List<SpeechSegment> out = new ArrayList<>(stream.accept(samples, 0, samples.length));
    out.addAll(stream.finish());
    LOG.debug("segmented {} samples at {} Hz into {} segments", samples.length, sampleRate,
        out.size());
    return out;
  }
}
