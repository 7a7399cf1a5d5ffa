package io.bitnetstreams.devstack.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApicurioDistributionTest {

    @TempDir
    Path dir;

    @Test
    void explicitDistributionWinsAndMustExist() throws IOException {
        Path archive = Files.writeString(dir.resolve("dist.tar.gz"), "x");
        assertThat(ApicurioDistribution.locateSource(props(ApicurioDistribution.DIST_PROPERTY, archive.toString()), Map.of()))
                .isEqualTo(archive);
        assertThat(ApicurioDistribution.locateSource(props(), Map.of(ApicurioDistribution.DIST_ENV, archive.toString())))
                .isEqualTo(archive);
        assertThatThrownBy(() -> ApicurioDistribution.locateSource(
                props(ApicurioDistribution.DIST_PROPERTY, dir.resolve("nope.tar.gz").toString()), Map.of()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("nope.tar.gz");
    }

    @Test
    void archiveIsFoundInTheLocalRepositoryGivenByMavenRepoLocal() throws IOException {
        Path repository = dir.resolve("repo");
        Path archive = repository.resolve(ApicurioDistribution.ARTIFACT_PATH);
        Files.createDirectories(archive.getParent());
        Files.writeString(archive, "x");
        Properties props = props("maven.repo.local", repository.toString());
        props.setProperty("user.home", dir.resolve("home").toString());
        assertThat(ApicurioDistribution.locateSource(props, Map.of())).isEqualTo(archive);
    }

    @Test
    void localRepositoryOfSettingsXmlIsHonoured() throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home.resolve(".m2"));
        Files.writeString(home.resolve(".m2/settings.xml"),
                "<settings><localRepository> " + dir.resolve("custom") + " </localRepository></settings>");
        assertThat(ApicurioDistribution.localRepositories(props("user.home", home.toString()), Map.of()))
                .containsExactly(dir.resolve("custom"), home.resolve(".m2/repository"));
    }

    @Test
    void missingArchiveExplainsWhereItLookedAndWhatToDo() {
        Properties props = props("user.home", dir.toString());
        assertThatThrownBy(() -> ApicurioDistribution.locateSource(props, Map.of()))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining(dir.resolve(".m2/repository").toString())
                .hasMessageContaining("-Dbitnet.apicurio.dist");
    }

    @Test
    void cacheRootFollowsPropertyThenEnvThenXdgThenHome() {
        assertThat(ApicurioDistribution.cacheRoot(props(ApicurioDistribution.CACHE_PROPERTY, "/c1"),
                Map.of(ApicurioDistribution.CACHE_ENV, "/c2"))).isEqualTo(Path.of("/c1"));
        assertThat(ApicurioDistribution.cacheRoot(props(), Map.of(ApicurioDistribution.CACHE_ENV, "/c2")))
                .isEqualTo(Path.of("/c2"));
        assertThat(ApicurioDistribution.cacheRoot(props(), Map.of("XDG_CACHE_HOME", "/xdg")))
                .isEqualTo(Path.of("/xdg/bitnet-streams"));
        assertThat(ApicurioDistribution.cacheRoot(props("user.home", "/home/u"), Map.of()))
                .isEqualTo(Path.of("/home/u/.cache/bitnet-streams"));
    }

    @Test
    void archiveIsUnpackedOnceAndThenReused() throws IOException {
        Path archive = tarGz("good.tar.gz", Map.of("quarkus-run.jar", "jar", "lib/main/a.jar", "a"));
        Path target = dir.resolve("cache/apicurio");

        assertThat(ApicurioDistribution.unpackOnce(archive, target)).isEqualTo(target);
        assertThat(target.resolve("lib/main/a.jar")).hasContent("a");
        assertThat(ApicurioDistribution.isComplete(target)).isTrue();

        Files.delete(archive); // a second call must not need the archive any more
        assertThat(ApicurioDistribution.unpackOnce(archive, target)).isEqualTo(target);
        try (var siblings = Files.list(target.getParent())) {
            assertThat(siblings).as("no staging directories left behind").containsExactly(target);
        }
    }

    @Test
    void entriesEscapingTheTargetAreRefused() throws IOException {
        Path archive = tarGz("evil.tar.gz", Map.of("quarkus-run.jar", "jar", "../evil.txt", "boom"));
        Path target = dir.resolve("cache/apicurio");
        assertThatThrownBy(() -> ApicurioDistribution.unpackOnce(archive, target))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("outside");
        assertThat(dir.resolve("cache/evil.txt")).doesNotExist();
        assertThat(target).doesNotExist();
    }

    @Test
    void linksAreRefused() throws IOException {
        Path archive = dir.resolve("link.tar.gz");
        try (OutputStream file = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file))) {
            TarArchiveEntry link = new TarArchiveEntry("quarkus-run.jar", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("/etc/passwd");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        assertThatThrownBy(() -> ApicurioDistribution.unpackOnce(archive, dir.resolve("cache/apicurio")))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("link");
    }

    @Test
    void archiveWithoutTheRunJarIsNotADistribution() throws IOException {
        Path archive = tarGz("other.tar.gz", Map.of("README", "hello"));
        assertThatThrownBy(() -> ApicurioDistribution.unpackOnce(archive, dir.resolve("cache/apicurio")))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("quarkus-run.jar");
        assertThat(dir.resolve("cache/apicurio")).doesNotExist();
    }

    @Test
    void notAGzipFileGivesOneClearError() throws IOException {
        Path archive = Files.writeString(dir.resolve("plain.tar.gz"), "definitely not gzip");
        assertThatThrownBy(() -> ApicurioDistribution.unpackOnce(archive, dir.resolve("cache/apicurio")))
                .isInstanceOf(SchemaRegistryException.class)
                .hasMessageContaining("plain.tar.gz");
    }

    private Path tarGz(String name, Map<String, String> files) throws IOException {
        Path archive = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(archive);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(file))) {
            for (var entry : files.entrySet()) {
                byte[] content = entry.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry tarEntry = new TarArchiveEntry(entry.getKey(), true);
                tarEntry.setSize(content.length);
                tar.putArchiveEntry(tarEntry);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        }
        return archive;
    }

    private static Properties props(String... keyValues) {
        Properties props = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            props.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return props;
    }
}
