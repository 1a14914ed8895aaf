package io.mersdk.spring;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code mer.call.*}: the settings of {@link CallRecognitionService} (calls whose channels are
 * their parties; docs/calls.md). Checked when the service is made: a bad value fails start-up
 * naming the property.
 */
@ConfigurationProperties("mer.call")
public class MerCallProperties {
  /** The parties' names in channel order; empty: agent, customer for stereo, speaker for mono. */
  private List<String> parties = List.of();

  /** The bundle's labels that count as negative (first negative segment, trend); default none. */
  private List<String> negativeLabels = List.of();

  /** N of the trend: the first and last N of each party's speech. */
  private Duration trendWindow = Duration.ofSeconds(30);

  /** How much the mean negative probability must change to count as better or worse. */
  private double trendThreshold = 0.1;

  /** Silences longer than this between speech are reported as gaps. */
  private Duration minGap = Duration.ofSeconds(5);

  /** Utterances (of any party) per recogniser call. */
  private int batchSize = 4;

  public List<String> getParties() {
    return parties;
  }

  public void setParties(List<String> parties) {
    this.parties = parties;
  }

  public List<String> getNegativeLabels() {
    return negativeLabels;
  }

  public void setNegativeLabels(List<String> negativeLabels) {
    this.negativeLabels = negativeLabels;
  }

  public Duration getTrendWindow() {
    return trendWindow;
  }

  public void setTrendWindow(Duration trendWindow) {
    this.trendWindow = trendWindow;
  }

  public double getTrendThreshold() {
    return trendThreshold;
  }

  public void setTrendThreshold(double trendThreshold) {
    this.trendThreshold = trendThreshold;
  }

  public Duration getMinGap() {
    return minGap;
  }

  public void setMinGap(Duration minGap) {
    this.minGap = minGap;
  }

  public int getBatchSize() {
    return batchSize;
  }

  public void setBatchSize(int batchSize) {
    this.batchSize = batchSize;
  }
}
