package io.mersdk.examples;

import io.mersdk.BundleException;
import io.mersdk.DeviceUnavailableException;
import io.mersdk.MerException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code mer} command line: recognise files, evaluate on a labelled manifest, serve over HTTP,
 * or listen to the microphone. {@code java -jar mer-examples.jar --help}.
 */
@Command(
    name = "mer",
    mixinStandardHelpOptions = true,
    versionProvider = Mer.Version.class,
    description = "Speech emotion recognition with mer-sdk.",
    subcommands = {
      RecognizeCommand.class,
      EvaluateCommand.class,
      ServeCommand.class,
      ReportCommand.class,
      LiveMicrophone.class,
      SparkScoreCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:success",
      "1:some inputs failed (each named on stderr); the others were processed",
      "2:bad usage: unknown option, bad value, bad manifest",
      "3:the model bundle or the device cannot be used",
      "4:unexpected error (a bug: please report the stack trace)"
    })
public final class Mer {
  public static final int OK = 0;
  public static final int INPUTS_FAILED = 1;
  public static final int USAGE = 2;
  public static final int BUNDLE_OR_DEVICE = 3;
  public static final int INTERNAL = 4;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Log more on stderr: -v for INFO, -vv for DEBUG (default: warnings only).")
  boolean[] verbose = new boolean[0];

  public static void main(String[] args) {
    configureLogging(args);
    System.exit(commandLine().execute(args));
  }

  /** The command line with our exit codes and one-line error messages; tests execute it too. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Mer());
    cl.setExecutionExceptionHandler(Mer::handleExecutionException);
    return cl;
  }

  /**
   * slf4j-simple reads its level once, when the first logger is made, which may happen while the
   * commands are being constructed; so the flag is looked at here, before picocli runs.
   */
  static void configureLogging(String[] args) {
    int level = 0;
    for (String a : args) {
      if (a.equals("--")) {
        break;
      }
      if (a.equals("--verbose")) {
        level++;
      } else if (a.matches("-v+")) {
        level += a.length() - 1;
      }
    }
    if (level > 0 && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", level == 1 ? "info" : "debug");
    }
  }

  private static int handleExecutionException(
      Exception e, CommandLine cl, CommandLine.ParseResult parseResult) {
    PrintWriter err = cl.getErr();
    if (e instanceof CliException c) {
      err.println("mer: " + c.getMessage());
      return c.exitCode();
    }
    if (e instanceof BundleException || e instanceof DeviceUnavailableException) {
      err.println("mer: " + e.getMessage());
      return BUNDLE_OR_DEVICE;
    }
    if (e instanceof MerException) {
      // e.g. no inference backend on the class path: a set-up problem, like a missing bundle
      err.println("mer: " + e.getMessage());
      return BUNDLE_OR_DEVICE;
    }
    err.println("mer: unexpected error: " + e);
    e.printStackTrace(err);
    return INTERNAL;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Mer.class.getPackage().getImplementationVersion();
      return new String[] {"mer (mer-sdk examples) " + (v == null ? "development build" : v)};
    }
  }
}
