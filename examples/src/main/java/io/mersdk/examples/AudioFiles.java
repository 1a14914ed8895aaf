package io.mersdk.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Turns command-line arguments (files and folders) into the audio files to process. */
final class AudioFiles {
  /** What mer-sdk-audio decodes (AudioSources): WAV, FLAC, MP3, AIFF, AU, Ogg Vorbis, Ogg Opus. */
  static final Set<String> EXTENSIONS = Set.of("wav", "flac", "mp3", "aiff", "aif", "aifc", "au",
      "ogg", "oga", "opus");

  /**
   * @param files the audio files in argument order, each folder's walked in path order
   * @param problems one message per argument that gave nothing (missing path, empty folder)
   * @param skipped one note per folder in which files were passed over for their extension
   */
  record Expansion(List<Path> files, List<String> problems, List<String> skipped) {
    Expansion(List<Path> files, List<String> problems) {
      this(files, problems, List.of());
    }
  }

  private AudioFiles() {}

  /**
   * A file argument is taken whatever its name (the user asked for it; the decoder names the
   * problem if it is not audio); a folder is walked for files with an audio extension.
   */
  static Expansion expand(List<Path> arguments) {
    List<Path> files = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Path p : arguments) {
      if (Files.isDirectory(p)) {
        List<Path> found;
        try {
          found = walk(p);
        } catch (IOException | UncheckedIOException e) {
          problems.add(p + ": cannot list the folder: " + e.getMessage());
          continue;
        }
        if (found.isEmpty()) {
          problems.add(p + ": no audio files (" + String.join(", ", EXTENSIONS.stream().sorted()
              .toList()) + ") in this folder");
        }
        files.addAll(found);
        List<Path> passed = others(p);
        if (!passed.isEmpty()) {
          skipped.add(p + ": skipped " + passed.size() + (passed.size() == 1 ? " file that is"
              : " files that are") + " not audio by name (" + String.join(", ", passed.stream().limit(5)
              .map(f -> p.relativize(f).toString()).toList()) + (passed.size() > 5 ? ", ..." : "")
              + "); audio: " + String.join(", ", EXTENSIONS.stream().sorted().toList()));
        }
      } else if (Files.exists(p)) {
        files.add(p);
      } else {
        problems.add(p + ": no such file or folder");
      }
    }
    return new Expansion(List.copyOf(files), List.copyOf(problems), List.copyOf(skipped));
  }

  static boolean isAudio(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /** The regular files of {@code folder} the walk passes over (hidden files not counted). */
  private static List<Path> others(Path folder) {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(Files::isRegularFile).filter(f -> !isAudio(f))
          .filter(f -> !f.getFileName().toString().startsWith(".")).sorted().toList();
    } catch (IOException | UncheckedIOException e) {
      return List.of();
    }
  }

  private static List<Path> walk(Path folder) throws IOException {
    try (Stream<Path> s = Files.walk(folder)) {
      return s.filter(Files::isRegularFile).filter(AudioFiles::isAudio).sorted().toList();
    }
  }
}
