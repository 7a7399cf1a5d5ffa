# Shared by bin/bitnet and bin/bitnet-streams: find JDK 25, (re)build a module when its jar is
# missing or older than its sources, and run a main class with the JVM flags of the parent pom.
# Sourced, not executed.

BITNET_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

# Prints the major version of the java binary $1, or nothing when it does not run.
java_major() {
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

# Sets JAVA_BIN and JAVA_HOME to a JDK 25+: JAVA_HOME if it is 25+, else /usr/lib/jvm/temurin-25*.
find_jdk25() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    major=$(java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 25 ]; then
      export JAVA_HOME="$candidate"
      JAVA_BIN="$candidate/bin/java"
      return 0
    fi
  done
  die "JDK 25 or newer is required. Install one (for example Eclipse Temurin 25:
  https://adoptium.net, or 'apt-get install temurin-25-jdk' from the Adoptium repository)
  and set JAVA_HOME to it. Looked at: JAVA_HOME='${JAVA_HOME:-}' and /usr/lib/jvm/temurin-25*."
}

# The JVM flags, read from the one place they are defined: <bitnet.jvm.args> in the parent pom.
jvm_args() {
  sed -n 's:.*<bitnet.jvm.args>\(.*\)</bitnet.jvm.args>.*:\1:p' "$BITNET_ROOT/pom.xml" | head -n 1
}

# ensure_built MODULE_DIR ARTIFACT_ID SOURCE_MODULE_DIR...
# Builds MODULE_DIR (and the modules it needs) with the wrapper when its jar is missing, or when the
# parent pom or any main source, resource or pom.xml of the listed modules is newer than the jar
# (test-only changes do not trigger a rebuild).
ensure_built() {
  local module="$1" artifact="$2"; shift 2
  local jar="$BITNET_ROOT/$module/target/$artifact.jar" stale=""
  if [ ! -f "$jar" ] || [ ! -d "$BITNET_ROOT/$module/target/lib" ]; then
    stale="not built yet"
  else
    local path paths=(pom.xml) m
    for m in "$@"; do paths+=("$m/pom.xml" "$m/src/main"); done
    for path in "${paths[@]}"; do
      if [ -e "$BITNET_ROOT/$path" ] && \
         [ -n "$(find "$BITNET_ROOT/$path" -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
        stale="sources changed"; break
      fi
    done
  fi
  if [ -n "$stale" ]; then
    echo "$(basename "$0"): building $module ($stale); this takes a minute the first time..." >&2
    (cd "$BITNET_ROOT" && ./mvnw -q -B -DskipTests -Dmaven.javadoc.skip=true -pl "$module" -am package) >&2 \
      || die "the build of $module failed; run './mvnw -B -pl $module -am package' to see why."
    # Maven keeps an unchanged jar's old timestamp; mark it fresh so the next launch does not rebuild.
    touch "$jar"
  fi
  LAUNCH_CLASSPATH="$jar:$BITNET_ROOT/$module/target/lib/*"
}

# JVM defaults of the engine CLI only (not in the pom: tests and other launchers keep theirs), placed
# before BITNET_JAVA_OPTS so that anything given there wins. Measured on the 2B4T-shaped model
# (2 cores): G1 grew the heap to ~460 MB while the Vector API code still ran interpreted and
# allocated ~2.5 GB/s of short-lived garbage (live heap ~30 MB), which put max RSS at 1.6 GB; a
# 32 MB young generation with the parallel collector keeps it at ~1.24 GB with the same speed.
# Lower compile thresholds for the ternary kernels (Lut128/256/512) get them to C2 during the
# load-time warm-up instead of during the first prompt: first token ~1.43 s instead of ~1.96 s.
# Scaling every engine method the same way was a little faster to the first token (~1.31 s) but
# cost 12% of decode speed (code compiled on young profiles), so only the kernels get it.
engine_jvm_defaults() {
  local opts="-Xmn32m -XX:CompileCommand=quiet"
  opts+=" -XX:CompileCommand=CompileThresholdScaling,io.bitnetstreams.engine.kernel.Lut*::*,0.05"
  # Two collectors on one command line are an error: choose one only when the user did not.
  case " ${BITNET_JAVA_OPTS:-} " in
    *" -XX:+Use"*"GC "*) ;;
    *) opts="-XX:+UseParallelGC $opts" ;;
  esac
  echo "$opts"
}

# run_main MAIN_CLASS ARGS...: replaces this shell with the JVM. LAUNCH_JVM_DEFAULTS (set by the
# launcher, e.g. to engine_jvm_defaults) goes before BITNET_JAVA_OPTS.
run_main() {
  local main="$1"; shift
  # shellcheck disable=SC2046 # the flags are meant to split into words
  exec "$JAVA_BIN" $(jvm_args) ${LAUNCH_JVM_DEFAULTS:-} ${BITNET_JAVA_OPTS:-} \
    -Dlog4j2.configurationFile="$BITNET_ROOT/config/log4j2.xml" \
    -cp "$LAUNCH_CLASSPATH" "$main" "$@"
}

# True when MODULE_DIR has main sources, i.e. its issue has landed.
has_sources() { [ -d "$BITNET_ROOT/$1/src/main/java" ]; }
