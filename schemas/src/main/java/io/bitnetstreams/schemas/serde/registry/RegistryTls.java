package io.bitnetstreams.schemas.serde.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings of the registry client, from Confluent's {@code schema.registry.ssl.*} keys: a trust store (the CA or
 * certificate of an HTTPS registry with a private CA) and, for mutual TLS, a key store. Passwords never appear in
 * {@link #toString()} or in error messages.
 *
 * @param trustStore         trust store file; empty = the JDK's default CAs
 * @param trustStoreType     {@code PKCS12} (default) or {@code JKS}
 * @param trustStorePassword its password (may be empty)
 * @param keyStore           key store with this client's certificate and key, for mutual TLS; empty = none
 * @param keyStoreType       {@code PKCS12} (default) or {@code JKS}
 * @param keyStorePassword   its password
 * @param keyPassword        password of the key inside; empty = the key store's password
 * @param protocol           {@code TLS} (default: the best version both sides speak), {@code TLSv1.3}, {@code TLSv1.2}
 */
public record RegistryTls(Optional<Path> trustStore, String trustStoreType, String trustStorePassword,
        Optional<Path> keyStore, String keyStoreType, String keyStorePassword, Optional<String> keyPassword,
        String protocol) {

    public RegistryTls {
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(keyStore, "keyStore");
        Objects.requireNonNull(keyPassword, "keyPassword");
        trustStoreType = trustStoreType == null || trustStoreType.isBlank() ? "PKCS12" : trustStoreType;
        keyStoreType = keyStoreType == null || keyStoreType.isBlank() ? "PKCS12" : keyStoreType;
        trustStorePassword = trustStorePassword == null ? "" : trustStorePassword;
        keyStorePassword = keyStorePassword == null ? "" : keyStorePassword;
        protocol = protocol == null || protocol.isBlank() ? "TLS" : protocol;
    }

    /** Builds the SSL context; failures name the store (never a password). */
    public SSLContext sslContext() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore.isPresent() ? load("trust store", trustStore.get(), trustStoreType, trustStorePassword) : null);
            KeyManagerFactory keys = null;
            if (keyStore.isPresent()) {
                keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keys.init(load("key store", keyStore.get(), keyStoreType, keyStorePassword),
                        keyPassword.orElse(keyStorePassword).toCharArray());
            }
            SSLContext context = SSLContext.getInstance(protocol);
            context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot set up TLS for the schema registry: " + e.getMessage(), e);
        }
    }

    private static KeyStore load(String what, Path file, String type, String password) throws GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(type);
            store.load(in, password.toCharArray());
            return store;
        } catch (IOException e) {
            // a wrong password shows as an IOException too; say which file, never the password
            throw new IllegalArgumentException("cannot read the registry " + what + " " + file + " (" + type + "): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "RegistryTls[trustStore=" + trustStore.map(Path::toString).orElse("default") + ", keyStore="
                + keyStore.map(Path::toString).orElse("none") + ", protocol=" + protocol + ", passwords=***]";
    }
}
