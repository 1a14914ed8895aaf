// Pastes README.md's "Use it" snippets into the consumer project, verbatim: the first ```xml block
// of that section into pom.xml, the first ```java block into ReadmeSnippet.java; and puts a demo
// recording where the snippet reads it (call.wav).
import java.nio.file.Files
import java.nio.file.StandardCopyOption

def text = new File(readme).getText('UTF-8')
def section = text.indexOf('\n## Use it')
assert section >= 0 : "README.md has no '## Use it' section"
def next = text.indexOf('\n## ', section + 1)
def block = { String lang ->
    def fence = '```' + lang + '\n'
    def start = text.indexOf(fence, section)
    assert start >= 0 && (next < 0 || start < next) : "README.md: no ```${lang} block under '## Use it'"
    start += fence.length()
    text.substring(start, text.indexOf('\n```', start) + 1)
}
def paste = { File file, String marker, String snippet ->
    def source = file.getText('UTF-8')
    assert source.contains(marker) : "${file}: no marker ${marker}"
    file.setText(source.replace(marker, snippet), 'UTF-8')
}
paste(new File(basedir, 'pom.xml'), '<!-- README: xml -->', block('xml'))
paste(new File(basedir, 'src/main/java/ReadmeSnippet.java'), '// README: java', block('java'))
Files.copy(new File(recording).toPath(), new File(basedir, 'call.wav').toPath(), StandardCopyOption.REPLACE_EXISTING)
return true
