// The snippet ran (exec:exec fails the build on a non-zero exit) and printed what the README says:
// a "label confidence transcript" line, then one probability line per label, the label among them.
def log = new File(basedir, 'build.log').getText('UTF-8')
def result = log =~ /(?m)^(\S+) ([01]\.\d\d) "(.*)"$/
assert result.find() : "README snippet: no 'label confidence \"transcript\"' line in build.log"
def label = result.group(1)
def labels = (log =~ /(?m)^  (\S+)\s+([01]\.\d{3})$/).collect { it[1] }
assert labels.size() >= 2 : "README snippet: no probability lines in build.log"
assert labels.contains(label) : "README snippet: label ${label} is not among the probabilities ${labels}"
assert log =~ /(?m) on \S+/ : "README snippet: no timings/device line"
return true
