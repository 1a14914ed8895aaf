package io.mersdk.examples;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;

/**
 * A progress bar on stderr, or nothing. stdout carries the data, so the bar never goes there; lines
 * printed while the bar is shown go through {@link #print} so they do not land on the bar's line.
 */
abstract class Progress implements AutoCloseable {

  /** When to show the bar. */
  enum Mode {
    /** When there is more than one input and stderr is a terminal. */
    auto,
    always,
    never
  }

  private static final int DEFAULT_WIDTH = 80;

  /** Marks one input as done. */
  abstract void step();

  /** Runs {@code printing} (which writes whole lines to stdout or stderr) clear of the bar. */
  abstract void print(Runnable printing);

  @Override
  public abstract void close();

  static Progress create(Mode mode, PrintWriter err, String task, int total) {
    boolean show = switch (mode) {
      case never -> false;
      case always -> true;
      case auto -> total > 1 && stderrIsTerminal();
    };
    return show ? new Bar(err, task, total, width()) : new None();
  }

  /**
   * The JDK cannot tell whether stderr is a terminal (System.console() looks at stdin and stdout);
   * jline's exec provider asks the OS ({@code test -t 2}, {@code stty}).
   */
  private static boolean stderrIsTerminal() {
    try {
      return TerminalProvider.load("exec").isSystemStream(SystemStream.Error);
    } catch (Exception | LinkageError e) {
      return false;
    }
  }

  private static int width() {
    try {
      int w = TerminalProvider.load("exec").systemStreamWidth(SystemStream.Error);
      // one column short of the edge, or the terminal wraps the line and every redraw scrolls
      return w > 20 ? w - 1 : DEFAULT_WIDTH;
    } catch (Exception | LinkageError e) {
      return DEFAULT_WIDTH;
    }
  }

  private static final class None extends Progress {
    @Override
    void step() {}

    @Override
    void print(Runnable printing) {
      printing.run();
    }

    @Override
    public void close() {}
  }

  private static final class Bar extends Progress {
    private final LineConsumer line;
    private final ProgressBar bar;

    Bar(PrintWriter err, String task, int total, int width) {
      this.line = new LineConsumer(err, width);
      this.bar = new ProgressBarBuilder()
          .setTaskName(task)
          .setInitialMax(total)
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(250)
          .setConsumer(line)
          .build();
    }

    @Override
    void step() {
      bar.step();
    }

    @Override
    void print(Runnable printing) {
      synchronized (line) {
        line.clear();
        printing.run();
      }
      bar.refresh();
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  /**
   * Draws the bar on one stderr line with a carriage return. Writes to the command's err writer
   * (not System.err) so tests and embedding programs can capture it.
   */
  private static final class LineConsumer implements ProgressBarConsumer {
    private final PrintWriter err;
    private final int width;
    private boolean drawn;

    LineConsumer(PrintWriter err, int width) {
      this.err = err;
      this.width = width;
    }

    @Override
    public int getMaxRenderedLength() {
      return width;
    }

    @Override
    public synchronized void accept(String rendered) {
      String s = rendered.length() > width ? rendered.substring(0, width) : rendered;
      err.print("\r" + s);
      err.flush();
      drawn = true;
    }

    /** Blanks the bar's line so the next line printed starts at column 0 on a clean line. */
    @Override
    public synchronized void clear() {
      if (drawn) {
        err.print("\r" + " ".repeat(width) + "\r");
        err.flush();
        drawn = false;
      }
    }

    @Override
    public synchronized void close() {
      if (drawn) {
        err.println();
        err.flush();
      }
    }
  }
}
