package io.mersdk.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.launcher.JavaModuleOptions;

/**
 * A Spark standalone cluster on 127.0.0.1 for tests: a master and N workers, each its own JVM
 * started from the Spark jars of the test class path ({@code org.apache.spark.deploy.master.Master},
 * {@code org.apache.spark.deploy.worker.Worker}, as {@code sbin/start-*.sh} start them), and jobs
 * submitted through spark-submit's entry point ({@code org.apache.spark.deploy.SparkSubmit}) in a
 * JVM of their own. The workers start executors as child processes, as on any cluster.
 *
 * <p>Everything lives under one folder: a Spark home whose {@code jars/} links the cluster's jars
 * (the workers build the executors' class path from it), the workers' work dirs, one log per
 * process. Ports are free ports of 127.0.0.1 and every process binds there ({@code
 * SPARK_LOCAL_IP}); every wait has a deadline; {@link #close()} (also run by a shutdown hook)
 * kills every process it started with its descendants.
 */
final class StandaloneCluster implements AutoCloseable {
  static final String HOST = "127.0.0.1";

  private final Path root;
  private final Path sparkHome;
  private final List<Process> processes = new ArrayList<>();
  private final List<Process> workers = new ArrayList<>();
  private final Thread hook = new Thread(this::close, "standalone-cluster-stop");
  private String masterUrl;
  private int masterUi;

  private StandaloneCluster(Path root) {
    this.root = root;
    this.sparkHome = root.resolve("spark-home");
  }

  /**
   * Starts a master and {@code workers} workers ({@code cores} cores and {@code memory} each) and
   * returns once the master lists them all alive, within {@code timeout}.
   */
  static StandaloneCluster start(Path root, List<Path> clusterJars, int workers, int cores,
      String memory, Duration timeout) throws IOException {
    deleteTree(root);
    StandaloneCluster c = new StandaloneCluster(root);
    Runtime.getRuntime().addShutdownHook(c.hook);
    try {
      c.linkJars(clusterJars);
      Files.createDirectories(root.resolve("logs"));
      Files.createDirectories(c.sparkHome.resolve("conf"));
      int port = freePort();
      c.masterUi = freePort();
      c.masterUrl = "spark://" + HOST + ":" + port;
      c.processes.add(c.java("master", "256m", "org.apache.spark.deploy.master.Master",
          List.of("--host", HOST, "--port", String.valueOf(port), "--webui-port",
              String.valueOf(c.masterUi))).start());
      long deadline = System.nanoTime() + timeout.toNanos();
      c.await(() -> connectable(port), deadline, "the master to listen on " + HOST + ":" + port);
      for (int i = 0; i < workers; i++) {
        Path work = Files.createDirectories(root.resolve("worker-" + i));
        Process w = c.java("worker-" + i, "256m", "org.apache.spark.deploy.worker.Worker",
            List.of("--host", HOST, "--port", String.valueOf(freePort()), "--webui-port",
                String.valueOf(freePort()), "--cores", String.valueOf(cores), "--memory", memory,
                "--work-dir", work.toString(), c.masterUrl)).start();
        c.processes.add(w);
        c.workers.add(w);
      }
      c.await(() -> c.aliveWorkers() == workers, deadline, workers + " workers to register");
      return c;
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /**
   * What a job of this module ships and what plays the cluster's installation: the job brings this
   * module's runtime class path (target/app-classpath.txt, written by the build: the SDK modules,
   * jarred when they are class folders, ONNX Runtime, DJL, the codecs) less Jackson and SLF4J,
   * which Spark has (docs/spark.md); the cluster gets the rest of the test class path (Spark's
   * tree); the job's own classes are the test classes under {@code io/mersdk/spark/clusterjob/}.
   */
  record Layout(List<Path> appJars, List<Path> clusterJars, Path jobJar) {
    static Layout ofThisModule(Path dir) throws IOException {
      List<String> testCp = Arrays.asList(System.getProperty("surefire.test.class.path",
          System.getProperty("java.class.path")).split(java.io.File.pathSeparator));
      List<String> appCp = Arrays.asList(Files.readString(Path.of("target", "app-classpath.txt")).trim()
          .split(java.io.File.pathSeparator));
      List<Path> app = new ArrayList<>();
      app.add(asJar(codeSource(EmotionScorer.class), dir, "mer-sdk-spark"));
      Set<String> shipped = new HashSet<>();
      for (String e : appCp) {
        if (!clusterHasIt(e)) {
          app.add(asJar(Path.of(e), dir, null));
          shipped.add(e);
        }
      }
      Path repo = Path.of("..").toAbsolutePath().normalize(); // surefire runs in the module's folder
      List<Path> cluster = new ArrayList<>();
      for (String e : testCp) {
        Path p = Path.of(e);
        // nothing this repository builds (the SDK's jars, the demo bundle) is installed there
        if (e.endsWith(".jar") && Files.isRegularFile(p) && !shipped.contains(e)
            && !p.toAbsolutePath().normalize().startsWith(repo)) {
          cluster.add(p);
        }
      }
      Path job = jar(codeSource(StandaloneCluster.class), dir.resolve("cluster-job.jar"),
          "io/mersdk/spark/clusterjob/");
      return new Layout(List.copyOf(app), List.copyOf(cluster), job);
    }

    /** Spark brings its own Jackson and SLF4J: a job ships neither. */
    static boolean clusterHasIt(String entry) {
      String n = Path.of(entry).getFileName().toString();
      return n.startsWith("jackson-") || n.startsWith("slf4j-api-");
    }

    private static Path asJar(Path entry, Path dir, String name) throws IOException {
      if (Files.isRegularFile(entry)) {
        return entry;
      }
      // a reactor module's class folder (mer-sdk-api/target/classes): jar it as `package` would
      String module = name != null ? name : entry.getParent().getParent().getFileName().toString();
      return jar(entry, dir.resolve(module + ".jar"), "");
    }

    private static Path codeSource(Class<?> c) {
      try {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
      } catch (java.net.URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  String masterUrl() {
    return masterUrl;
  }

  Path root() {
    return root;
  }

  /** The class path of every Spark JVM here: the Spark home's jars. */
  String classPath() {
    return sparkHome.resolve("jars") + "/*";
  }

  /**
   * A spark-submit JVM ({@code org.apache.spark.deploy.SparkSubmit}, what {@code bin/spark-submit}
   * runs) with {@code args}; its output goes to {@code logs/NAME.log}. The caller waits for it;
   * {@link #close()} kills it if it is still running.
   */
  Process submit(String name, List<String> args) throws IOException {
    Process p = java(name, "768m", "org.apache.spark.deploy.SparkSubmit", args).start();
    processes.add(p);
    return p;
  }

  /** The command line of a Spark JVM on this cluster's class path, JDK flags as Spark's launcher sets them. */
  List<String> javaCommand(String heap, String mainClass) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + heap);
    cmd.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
    cmd.add("-cp");
    cmd.add(classPath());
    cmd.add(mainClass);
    return cmd;
  }

  /** The environment of every Spark JVM here (workers pass it on to their executors). */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_CONF_DIR", sparkHome.resolve("conf").toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", HOST); // binds the RPC and web UI servers to loopback
    env.put("SPARK_LOG_DIR", root.resolve("logs").toString());
    return env;
  }

  Path log(String name) {
    return root.resolve("logs").resolve(name + ".log");
  }

  private ProcessBuilder java(String name, String heap, String mainClass, List<String> args) {
    List<String> cmd = javaCommand(heap, mainClass);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(log(name).toFile());
    pb.environment().putAll(environment());
    return pb;
  }

  /** The executor JVMs running now: the workers' child processes. */
  List<ProcessHandle> executors() {
    List<ProcessHandle> out = new ArrayList<>();
    for (Process w : workers) {
      w.descendants().filter(ProcessHandle::isAlive)
          .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
          .forEach(out::add);
    }
    return out;
  }

  /** How many workers the master lists as alive (its web UI's JSON). */
  int aliveWorkers() {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://" + HOST + ":" + masterUi + "/json/")).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.ofString());
      Matcher m = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)").matcher(r.body());
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Polls {@code condition} until it holds; fails naming what it waited for and the logs. */
  void await(BooleanSupplier condition, long deadlineNanos, String what) {
    while (!condition.getAsBoolean()) {
      Process master = processes.get(0);
      if (!master.isAlive()) {
        throw new IllegalStateException("the master exited (" + master.exitValue()
            + ") while waiting for " + what + "; see " + log("master"));
      }
      if (System.nanoTime() > deadlineNanos) {
        throw new IllegalStateException("timed out waiting for " + what + "; logs in " + root.resolve("logs"));
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Kills every process started here and their descendants (executors), newest first. */
  @Override
  public synchronized void close() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    processes.clear();
    workers.clear();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: this is the hook
    }
  }

  private void linkJars(List<Path> jars) throws IOException {
    Path dir = Files.createDirectories(sparkHome.resolve("jars"));
    Set<String> names = new HashSet<>();
    for (Path jar : jars) {
      String name = jar.getFileName().toString();
      if (!names.add(name)) {
        name = names.size() + "-" + name;
      }
      Files.createSymbolicLink(dir.resolve(name), jar.toAbsolutePath());
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  private static boolean connectable(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(HOST, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A jar of a class folder (every file under it, META-INF/services included). */
  static Path jar(Path classes, Path out, String underPrefix) throws IOException {
    Files.createDirectories(out.getParent());
    try (OutputStream os = Files.newOutputStream(out); JarOutputStream jar = new JarOutputStream(os);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = classes.relativize(f).toString().replace('\\', '/');
        if (!name.startsWith(underPrefix)) {
          continue;
        }
        jar.putNextEntry(new JarEntry(name));
        Files.copy(f, jar);
        jar.closeEntry();
      }
    }
    return out;
  }

  /** Copies the class-path resource folder {@code name} (in a jar or a folder) to {@code dir}. */
  static Path copyResourceFolder(String name, Path dir) throws IOException {
    URI uri;
    try {
      uri = Thread.currentThread().getContextClassLoader().getResource(name + "/bundle.json").toURI();
    } catch (java.net.URISyntaxException | NullPointerException e) {
      throw new IOException("no resource " + name + "/bundle.json on the class path", e);
    }
    Files.createDirectories(dir);
    if (uri.getScheme().equals("jar")) {
      String s = uri.toString();
      Path jarPath = Path.of(URI.create(s.substring("jar:".length(), s.indexOf("!/"))));
      try (JarFile jar = new JarFile(jarPath.toFile())) {
        for (JarEntry e : java.util.Collections.list(jar.entries())) {
          if (!e.isDirectory() && e.getName().startsWith(name + "/")) {
            Path target = dir.resolve(e.getName().substring(name.length() + 1));
            Files.createDirectories(target.getParent());
            try (InputStream in = jar.getInputStream(e)) {
              Files.copy(in, target);
            }
          }
        }
      }
    } else {
      Path src = Path.of(uri).getParent();
      try (Stream<Path> files = Files.walk(src)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Path target = dir.resolve(src.relativize(f).toString());
          Files.createDirectories(target.getParent());
          Files.copy(f, target);
        }
      }
    }
    return dir;
  }

  /** A zip of a folder's contents, the folder's files at the zip's root (what --archives unpacks). */
  static Path zip(Path dir, Path out) throws IOException {
    try (OutputStream os = Files.newOutputStream(out); ZipOutputStream zip = new ZipOutputStream(os);
        Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        zip.putNextEntry(new ZipEntry(dir.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, zip);
        zip.closeEntry();
      }
    }
    return out;
  }

  static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
