package io.bitnetstreams.devstack.secure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Throw-away TLS material made at test time with the JDK's {@code keytool}: a self-signed server key pair for
 * {@code 127.0.0.1}/{@code localhost} (PKCS12), a trust store holding its certificate, and a second trust store
 * holding an unrelated certificate (to provoke a failed handshake). Passwords are random per run; nothing is
 * committed and nothing outlives {@code dir}.
 *
 * @param keyStore           the server's key pair (broker listener, HTTPS proxy)
 * @param trustStore         trusts {@link #keyStore}'s certificate
 * @param untrustedStore     trusts some other certificate only
 * @param storePassword      password of all three stores (and of the key)
 */
public record TestPki(Path keyStore, Path trustStore, Path untrustedStore, String storePassword) {

    public static final String STORE_TYPE = "PKCS12";

    /** Makes the stores below {@code dir} (about a second: three keytool runs per pair). */
    public static TestPki create(Path dir) {
        String password = randomSecret();
        try {
            Files.createDirectories(dir);
            Path keyStore = dir.resolve("server.p12");
            Path trustStore = dir.resolve("truststore.p12");
            Path untrusted = dir.resolve("untrusted.p12");
            selfSigned(dir, keyStore, trustStore, "server", password);
            selfSigned(dir, dir.resolve("other.p12"), untrusted, "other", password);
            return new TestPki(keyStore, trustStore, untrusted, password);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make test certificates in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A random password (URL- and JAAS-safe hex), different on every call. */
    public static String randomSecret() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return "s" + HexFormat.of().formatHex(bytes);
    }

    private static void selfSigned(Path dir, Path keyStore, Path trustStore, String alias, String password)
            throws IOException {
        Path certificate = dir.resolve(alias + ".crt");
        keytool(dir, "-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2",
                "-keystore", keyStore.toString(), "-storetype", STORE_TYPE, "-storepass:env", "PKI_PASSWORD",
                "-keypass:env", "PKI_PASSWORD", password);
        keytool(dir, "-exportcert", "-rfc", "-alias", alias, "-file", certificate.toString(),
                "-keystore", keyStore.toString(), "-storetype", STORE_TYPE, "-storepass:env", "PKI_PASSWORD", password);
        keytool(dir, "-importcert", "-noprompt", "-alias", alias, "-file", certificate.toString(),
                "-keystore", trustStore.toString(), "-storetype", STORE_TYPE, "-storepass:env", "PKI_PASSWORD",
                password);
    }

    /** Runs keytool; the password goes through the environment, never the command line. */
    private static void keytool(Path dir, String... argsThenPassword) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(argsThenPassword).subList(0, argsThenPassword.length - 1));
        Path log = dir.resolve("keytool.log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("PKI_PASSWORD", argsThenPassword[argsThenPassword.length - 1]);
        Process process = builder.start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool " + command.get(1) + " failed: "
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
