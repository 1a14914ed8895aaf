package io.mersdk.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The one local[2] session of the test JVM (starting Spark costs seconds; every test class shares
 * it). Bound to 127.0.0.1, no UI, few shuffle partitions.
 */
final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSession.builder().master("local[2]").appName("mer-sdk-spark-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.sql.sources.binaryFile.maxLength", String.valueOf(64 << 20))
          .getOrCreate();
      Runtime.getRuntime().addShutdownHook(new Thread(session::stop, "test-spark-stop"));
    }
    return session;
  }
}
