package io.bitnetstreams.devstack.registry;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the Apicurio Registry server distribution and unpacks it once into a cache directory.
 *
 * <p>Where the archive comes from, first match wins:
 * <ol>
 *   <li>system property {@code bitnet.apicurio.dist} or env {@code BITNET_APICURIO_DIST}: the
 *       {@code tar.gz} or an already unpacked directory (holding {@code quarkus-run.jar});</li>
 *   <li>the local Maven repository ({@code -Dmaven.repo.local}, else {@code <localRepository>} of
 *       {@code ~/.m2/settings.xml}, else {@code ~/.m2/repository}), where building the devstack module
 *       puts {@code io.apicurio:apicurio-registry-app:3.3.3:tar.gz:all}.</li>
 * </ol>
 * The archive is unpacked into {@code <cache>/apicurio-registry-3.3.3} where {@code <cache>} is
 * {@code -Dbitnet.cache.dir}, env {@code BITNET_CACHE_DIR}, {@code $XDG_CACHE_HOME/bitnet-streams} or
 * {@code ~/.cache/bitnet-streams}: into a temporary sibling first, then renamed, so concurrent JVMs
 * (parallel builds, several worktrees) never see half an unpacked tree.
 *
 * <p>Why at runtime and not with maven-dependency-plugin at build time: the same code serves tests of
 * every module, the standalone launcher and developers' runs, none of which then depend on another
 * module's {@code target/} directory, and the 170 MB tree is unpacked once per machine, not per build.
 */
public final class ApicurioDistribution {

    public static final String VERSION = "3.3.3";
    public static final String DIST_PROPERTY = "bitnet.apicurio.dist";
    public static final String DIST_ENV = "BITNET_APICURIO_DIST";
    public static final String CACHE_PROPERTY = "bitnet.cache.dir";
    public static final String CACHE_ENV = "BITNET_CACHE_DIR";
    static final String RUN_JAR = "quarkus-run.jar";
    static final String COMPLETE_MARKER = ".bitnet-unpacked";
    static final String ARTIFACT_PATH =
            "io/apicurio/apicurio-registry-app/" + VERSION + "/apicurio-registry-app-" + VERSION + "-all.tar.gz";

    /** Bounds for an archive we did not build: the real one has ~480 entries and ~170 MB. */
    static final int MAX_ENTRIES = 5_000;
    static final long MAX_TOTAL_BYTES = 1L << 30;

    private static final Logger log = LoggerFactory.getLogger(ApicurioDistribution.class);
    private static final Pattern LOCAL_REPOSITORY = Pattern.compile("<localRepository>\\s*([^<]+?)\\s*</localRepository>");

    private ApicurioDistribution() {}

    /** The unpacked distribution directory (holding quarkus-run.jar), unpacking it first if needed. */
    public static Path home() {
        return home(System.getProperties(), System.getenv());
    }

    /** The unpacked distribution from an explicit tar.gz or directory. */
    public static Path home(Path source) {
        return home(source, System.getProperties(), System.getenv());
    }

    static Path home(Properties properties, Map<String, String> env) {
        return home(locateSource(properties, env), properties, env);
    }

    private static Path home(Path source, Properties properties, Map<String, String> env) {
        if (!Files.exists(source)) {
            throw new SchemaRegistryException("the Apicurio Registry distribution does not exist: " + source);
        }
        if (Files.isDirectory(source)) {
            requireRunJar(source);
            return source;
        }
        return unpackOnce(source, cacheRoot(properties, env).resolve("apicurio-registry-" + VERSION));
    }

    /** The archive (or unpacked directory) to use; throws naming every place looked at. */
    static Path locateSource(Properties properties, Map<String, String> env) {
        String explicit = firstNonBlank(properties.getProperty(DIST_PROPERTY), env.get(DIST_ENV));
        if (explicit != null) {
            Path path = Path.of(explicit);
            if (!Files.exists(path)) {
                throw new SchemaRegistryException("the Apicurio Registry distribution given by -D" + DIST_PROPERTY
                        + " / " + DIST_ENV + " does not exist: " + path);
            }
            return path;
        }
        List<Path> candidates = new ArrayList<>();
        for (Path repository : localRepositories(properties, env)) {
            Path archive = repository.resolve(ARTIFACT_PATH);
            if (Files.isRegularFile(archive)) {
                return archive;
            }
            candidates.add(archive);
        }
        throw new SchemaRegistryException("the Apicurio Registry " + VERSION + " distribution was not found at "
                + candidates + ". Build the devstack module once (./mvnw -pl devstack -am install -DskipTests"
                + " downloads it into the local Maven repository), or point -D" + DIST_PROPERTY + " or "
                + DIST_ENV + " at the tar.gz or an unpacked directory.");
    }

    static List<Path> localRepositories(Properties properties, Map<String, String> env) {
        List<Path> repositories = new ArrayList<>();
        String fromProperty = properties.getProperty("maven.repo.local");
        if (fromProperty != null && !fromProperty.isBlank()) {
            repositories.add(Path.of(fromProperty));
        }
        Path userHome = Path.of(properties.getProperty("user.home", "."));
        localRepositoryFromSettings(userHome.resolve(".m2/settings.xml")).ifPresent(repositories::add);
        repositories.add(userHome.resolve(".m2/repository"));
        return repositories.stream().distinct().toList();
    }

    private static Optional<Path> localRepositoryFromSettings(Path settings) {
        if (!Files.isRegularFile(settings)) {
            return Optional.empty();
        }
        try {
            String xml = Files.readString(settings);
            Matcher matcher = LOCAL_REPOSITORY.matcher(xml);
            return matcher.find() ? Optional.of(Path.of(matcher.group(1))) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            log.warn("Ignoring unreadable {}: {}", settings, e.toString());
            return Optional.empty();
        }
    }

    static Path cacheRoot(Properties properties, Map<String, String> env) {
        String explicit = firstNonBlank(properties.getProperty(CACHE_PROPERTY), env.get(CACHE_ENV));
        if (explicit != null) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "bitnet-streams");
        }
        return Path.of(properties.getProperty("user.home", "."), ".cache", "bitnet-streams");
    }

    /** Unpacks the archive into target unless a complete copy is already there. */
    static Path unpackOnce(Path archive, Path target) {
        if (isComplete(target)) {
            return target;
        }
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, target.getFileName() + ".unpacking-");
            long startNanos = System.nanoTime();
            log.info("Unpacking {} into {}", archive, target);
            extract(archive, staging);
            requireRunJar(staging);
            Files.writeString(staging.resolve(COMPLETE_MARKER), archive.toString());
            moveIntoPlace(staging, target);
            log.info("Unpacked the Apicurio Registry in {} ms", (System.nanoTime() - startNanos) / 1_000_000);
            return target;
        } catch (IOException e) {
            throw new SchemaRegistryException("cannot unpack " + archive + " into " + target + ": " + e, e);
        } finally {
            if (staging != null) {
                deleteTree(staging);
            }
        }
    }

    private static void moveIntoPlace(Path staging, Path target) throws IOException {
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the cache directory does not support atomic renames: " + target, e);
        } catch (FileSystemException e) {
            if (isComplete(target)) {
                return; // another JVM unpacked it first
            }
            if (!Files.exists(target)) {
                throw e;
            }
            // A broken earlier attempt is in the way: move it aside, then try once more.
            Path stale = Files.createTempDirectory(target.toAbsolutePath().getParent(), target.getFileName() + ".stale-");
            Files.move(target, stale.resolve("old"), StandardCopyOption.ATOMIC_MOVE);
            deleteTree(stale);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    static boolean isComplete(Path dir) {
        return Files.isRegularFile(dir.resolve(COMPLETE_MARKER)) && Files.isRegularFile(dir.resolve(RUN_JAR));
    }

    /** Extracts a tar.gz, refusing entries that would land outside target, links and oversized archives. */
    static void extract(Path archive, Path target) throws IOException {
        Path root = target.toAbsolutePath().normalize();
        int entries = 0;
        long totalBytes = 0;
        try (InputStream file = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(
                     new GZIPInputStream(new BufferedInputStream(file, 1 << 16), 1 << 16))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (++entries > MAX_ENTRIES) {
                    throw new IOException("more than " + MAX_ENTRIES + " entries in " + archive);
                }
                Path destination = root.resolve(entry.getName()).normalize();
                if (!destination.startsWith(root)) {
                    throw new IOException("entry '" + entry.getName() + "' would be written outside " + root);
                }
                if (entry.isSymbolicLink() || entry.isLink() || entry.isCharacterDevice()
                        || entry.isBlockDevice() || entry.isFIFO()) {
                    throw new IOException("entry '" + entry.getName() + "' is a link or special file; refusing it");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(destination);
                } else if (entry.isFile()) {
                    Files.createDirectories(destination.getParent());
                    long copied = copyBounded(tar, destination, MAX_TOTAL_BYTES - totalBytes);
                    totalBytes += copied;
                } else {
                    throw new IOException("entry '" + entry.getName() + "' is a link or special file; refusing it");
                }
            }
        }
        if (entries == 0) {
            throw new IOException(archive + " holds no entries");
        }
    }

    private static long copyBounded(InputStream in, Path destination, long budget) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        try (var out = Files.newOutputStream(destination)) {
            int read;
            while ((read = in.read(buffer)) != -1) {
                copied += read;
                if (copied > budget) {
                    throw new IOException("the archive unpacks to more than " + MAX_TOTAL_BYTES + " bytes");
                }
                out.write(buffer, 0, read);
            }
        }
        return copied;
    }

    private static void requireRunJar(Path dir) {
        if (!Files.isRegularFile(dir.resolve(RUN_JAR))) {
            throw new SchemaRegistryException(dir + " is not an Apicurio Registry distribution: no " + RUN_JAR);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    log.debug("Cannot delete {}: {}", path, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("Cannot delete {}: {}", dir, e.toString());
        }
    }

    private static String firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first;
        }
        return second != null && !second.isBlank() ? second : null;
    }
}
