import io.mersdk.*;
import io.mersdk.audio.AudioSources;
import java.nio.file.Path;

/** README.md's "Use it" snippet, pasted in verbatim by setup.groovy. */
public final class ReadmeSnippet {
    public static void main(String[] args) throws Exception {
        // README: java
    }
}
