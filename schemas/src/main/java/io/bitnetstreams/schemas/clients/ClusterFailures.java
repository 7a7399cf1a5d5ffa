package io.bitnetstreams.schemas.clients;

import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * The one wording for "cannot talk to the Kafka cluster": names a TLS or SASL failure as such instead of a bare
 * timeout, and says which settings to look at. Messages never carry setting values (they may hold passwords).
 */
public final class ClusterFailures {

    private ClusterFailures() {}

    /** "Kafka cluster at HOST:PORT refused ...", "... TLS handshake failed ...", or "... is unreachable ...". */
    public static String describe(String bootstrapServers, Throwable failure) {
        String where = "Kafka cluster at " + bootstrapServers;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SslAuthenticationException) {
                return where + ": TLS handshake failed (" + t.getMessage() + "); check security.protocol and"
                        + " ssl.truststore.* / ssl.keystore.* (--config FILE or --set key=value)";
            }
            if (t instanceof SaslAuthenticationException) {
                return where + " refused the credentials (SASL: " + t.getMessage() + "); check sasl.mechanism and"
                        + " sasl.jaas.config (--config FILE or --set key=value)";
            }
            if (t instanceof AuthenticationException) {
                return where + ": authentication failed (" + t.getMessage() + "); check security.protocol, sasl.*"
                        + " and ssl.* settings (--config FILE or --set key=value)";
            }
            if (t instanceof AuthorizationException) {
                return where + ": not authorized (" + t.getMessage() + "); the principal lacks an ACL";
            }
        }
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ApiException && !(t instanceof org.apache.kafka.common.errors.TimeoutException)
                    && !(t instanceof NetworkException)) {
                return where + " answered with an error (" + t.getClass().getSimpleName() + ": " + t.getMessage() + ")";
            }
        }
        return where + " is unreachable (" + simpleName(failure) + "); if it needs TLS or SASL, set security.protocol,"
                + " sasl.* and ssl.* (--config FILE or --set key=value)";
    }

    /**
     * True when the cluster answered but refused us: TLS handshake, SASL authentication or authorization failed.
     * Waiting or retrying does not help; the settings must change.
     */
    public static boolean isRefusal(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String simpleName(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
