package io.bitnetstreams.topology.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Fails fast when the schema registry does not answer, instead of failing on the first record. */
public final class RegistryCheck {

    private RegistryCheck() {}

    public static void requireReachable(String urls, Duration timeout) {
        Exception last = null;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build()) {
            for (String url : urls.split(",")) {
                String base = url.strip().replaceAll("/+$", "");
                try {
                    HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(base + "/subjects"))
                            .timeout(timeout).GET().build(), HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() < 500) {
                        return;
                    }
                    last = new IOException("HTTP " + response.statusCode());
                } catch (IOException | IllegalArgumentException e) {
                    last = e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StartupException("interrupted while checking the schema registry", e);
                }
            }
        }
        throw new StartupException("schema registry at " + urls + " is unreachable (" + last + ")", last);
    }
}
