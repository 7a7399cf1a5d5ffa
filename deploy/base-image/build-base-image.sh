#!/usr/bin/env bash
# Makes the local base image of bitnet-streams without a registry or a container engine: a root file system with
# a jlinked JDK 25 runtime (only the modules the pipeline needs, jdk.incubator.vector included), the C libraries it
# and the native libraries of RocksDB/zstd/snappy link against (copied from this machine), and a non-root user
# (bitnet, uid/gid 10001). Written as a `docker save` archive (one layer), the format Jib reads as `tar://FILE`
# and `podman load` / `docker load` accept.
#
#   deploy/base-image/build-base-image.sh OUT.tar [IMAGE_NAME]     (IMAGE_NAME default localhost/bitnet-base:25)
#
# Needs JDK 25 (JAVA_HOME or /usr/lib/jvm/temurin-25*), ldd, tar, sha256sum. About 20-40 s; skips the work
# when OUT.tar is newer than this script.
set -euo pipefail

out="${1:?usage: build-base-image.sh OUT.tar [IMAGE_NAME]}"
image="${2:-localhost/bitnet-base:25}"
script="$(readlink -f "$0")"
if [ -s "$out" ] && [ "$out" -nt "$script" ]; then
  echo "base image $out is up to date"
  exit 0
fi

jdk=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25*; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/jlink" ]; then jdk="$candidate"; break; fi
done
[ -n "$jdk" ] || { echo "build-base-image: no JDK with jlink found (set JAVA_HOME to JDK 25)" >&2; exit 1; }

# What the launcher's classpath uses (jdeps over its jars), plus what Kafka loads reflectively: SASL/GSSAPI and
# JAAS login modules (security.*), JMX (management), JNDI (naming); java.desktop for java.beans.
modules=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.security.jgss
modules+=,java.security.sasl,java.sql,java.xml,jdk.httpserver,jdk.incubator.vector,jdk.management
modules+=,jdk.security.auth,jdk.unsupported,jdk.zipfs,jdk.crypto.cryptoki

work="$(mktemp -d "${TMPDIR:-/tmp}/bitnet-base.XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/opt/java" "$root/etc" "$root/tmp" "$root/home/bitnet" "$root/var/cache/bitnet-streams" \
         "$root/var/lib/bitnet-streams/state"
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress zip-6 --output "$root/opt/java/openjdk"

# The C libraries: whatever the runtime's binaries link, plus the C++ runtime that the native libraries of
# RocksDB (Kafka Streams state), zstd and snappy need when they unpack themselves into /tmp.
libs() {
  find "$root/opt/java/openjdk" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
    | xargs -0 ldd 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib|^\t\/usr/{print $1}'
  for extra in libstdc++.so.6 libgcc_s.so.1 libz.so.1; do
    ldconfig -p | awk -v lib="$extra" '$1 == lib && /x86-64|x86_64|aarch64/ {print $NF; exit}'
  done
}
for lib in $(libs | sort -u); do
  cp -L --parents "$lib" "$root"
  for dep in $(ldd "$lib" 2>/dev/null | awk '/=> \//{print $3} /^\t\//{print $1}'); do
    [ -e "$root$dep" ] || cp -L --parents "$dep" "$root"
  done
done
# the dynamic loader under the name the binaries ask for
interp="$(readelf -l "$root/opt/java/openjdk/bin/java" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]/\1/p')"
if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then cp -L --parents "$interp" "$root"; fi

cat > "$root/etc/passwd" <<'TXT'
root:x:0:0:root:/root:/sbin/nologin
bitnet:x:10001:10001:bitnet-streams:/home/bitnet:/sbin/nologin
TXT
cat > "$root/etc/group" <<'TXT'
root:x:0:
bitnet:x:10001:
TXT
echo 'hosts: files dns' > "$root/etc/nsswitch.conf"
chmod 1777 "$root/tmp"

# One layer, reproducible: sorted names, fixed times, numeric owners (bitnet's directories are its own).
layer="$work/layer.tar"
tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 --exclude=./home --exclude=./var \
    -C "$root" -cf "$layer" .
tar --sort=name --mtime=@0 --numeric-owner --owner=10001 --group=10001 -C "$root" -rf "$layer" \
    ./home ./var
layer_sha="$(sha256sum "$layer" | cut -d' ' -f1)"
mkdir -p "$work/image"
mv "$layer" "$work/image/$layer_sha.tar"
config="$work/image/config.json"
cat > "$config" <<JSON
{"architecture":"$(case "$(uname -m)" in aarch64) echo arm64;; *) echo amd64;; esac)","os":"linux",
 "config":{"User":"10001:10001","WorkingDir":"/home/bitnet",
  "Env":["PATH=/opt/java/openjdk/bin:/usr/bin:/bin","JAVA_HOME=/opt/java/openjdk","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$layer_sha"]},
 "history":[{"created_by":"deploy/base-image/build-base-image.sh: jlink $modules"}]}
JSON
config_sha="$(sha256sum "$config" | cut -d' ' -f1)"
mv "$config" "$work/image/$config_sha.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s.tar"]}]\n' "$config_sha" "$image" "$layer_sha" \
  > "$work/image/manifest.json"
mkdir -p "$(dirname "$out")"
# entries by plain name (Jib refuses an archive with a "./" entry)
(cd "$work/image" && tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -cf "$out.tmp" ./*.json ./*.tar \
   --transform 's,^\./,,')
mv "$out.tmp" "$out"
echo "base image $image -> $out ($(du -h "$out" | cut -f1); JDK modules: $modules)"
