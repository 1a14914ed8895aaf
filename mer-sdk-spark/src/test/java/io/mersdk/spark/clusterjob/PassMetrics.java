package io.mersdk.spark.clusterjob;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;
import org.apache.spark.sql.SparkSession;

/**
 * Where a bench pass's time goes, from Spark's own task metrics (a benchmark helper, not a test):
 * the time in the tasks' code (executorRunTime: reading the cached rows, decoding, the recogniser,
 * the rows out), around it in each task (deserialisation, result serialisation, launch and
 * scheduling), and the slot time no task used (job start to first launch, waits between tasks,
 * the tail). Register with {@link #register}, {@link #reset()} before a pass, {@link #summary}
 * after it.
 */
public final class PassMetrics extends SparkListener {
  private record Task(long launch, long finish, long run, long deserialize, long resultSer, long gc) {}

  private final List<Task> tasks = new ArrayList<>();
  private long jobStart = Long.MAX_VALUE;
  private long jobEnd;

  public static PassMetrics register(SparkSession spark) {
    PassMetrics m = new PassMetrics();
    spark.sparkContext().addSparkListener(m);
    return m;
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart e) {
    jobStart = Math.min(jobStart, e.time());
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd e) {
    jobEnd = Math.max(jobEnd, e.time());
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd e) {
    TaskInfo i = e.taskInfo();
    TaskMetrics m = e.taskMetrics();
    if (m == null) {
      return;
    }
    tasks.add(new Task(i.launchTime(), i.finishTime(), m.executorRunTime(), m.executorDeserializeTime(),
        m.resultSerializationTime(), m.jvmGCTime()));
  }

  public synchronized void reset() {
    tasks.clear();
    jobStart = Long.MAX_VALUE;
    jobEnd = 0;
  }

  /** Seconds in the tasks' code, summed over tasks (after the listener bus has drained). */
  public double runSeconds(SparkSession spark) {
    drain(spark);
    synchronized (this) {
      return tasks.stream().mapToLong(Task::run).sum() / 1e3;
    }
  }

  /**
   * One line: tasks; their code's seconds summed; the seconds of each task outside its code
   * (deserialise, serialise the result, launch: finish - launch - run), summed; the JVM's GC time
   * within the tasks; the first launch after the job's start; the slot-seconds no task held
   * ({@code slots} x job time - the tasks' launch-to-finish).
   */
  public String summary(SparkSession spark, int slots) {
    drain(spark);
    synchronized (this) {
      if (tasks.isEmpty()) {
        return "no tasks";
      }
      long run = 0;
      long around = 0;
      long deser = 0;
      long ser = 0;
      long gc = 0;
      long held = 0;
      long firstLaunch = Long.MAX_VALUE;
      for (Task t : tasks) {
        run += t.run();
        deser += t.deserialize();
        ser += t.resultSer();
        gc += t.gc();
        around += (t.finish() - t.launch()) - t.run();
        held += t.finish() - t.launch();
        firstLaunch = Math.min(firstLaunch, t.launch());
      }
      long job = jobEnd - jobStart;
      return String.format(Locale.ROOT, "%d tasks: in their code %.2f s, around it %.3f s (deserialise %.3f s,"
          + " result %.3f s), GC %.2f s; job %.2f s, first launch after %.3f s, slot time no task held %.2f s",
          tasks.size(), run / 1e3, around / 1e3, deser / 1e3, ser / 1e3, gc / 1e3, job / 1e3,
          (firstLaunch - jobStart) / 1e3, (slots * job - held) / 1e3);
    }
  }

  private static void drain(SparkSession spark) {
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(60_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Spark's listener bus did not drain within a minute", e);
    }
  }
}
