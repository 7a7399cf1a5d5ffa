package io.bitnetstreams.deploy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The image's health check for engines that run a command (Docker Compose), with nothing but the JVM: the image
 * has no shell, curl or wget. {@code java -cp /app/classes io.bitnetstreams.deploy.HttpProbe URL} exits 0 when
 * the URL answers 2xx within 5 seconds, else 1. Kubernetes probes the same paths with {@code httpGet}.
 */
public final class HttpProbe {

    private HttpProbe() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: HttpProbe URL");
            System.exit(2);
        }
        System.exit(healthy(URI.create(args[0])) ? 0 : 1);
    }

    /** True when {@code uri} answers with a 2xx status. */
    static boolean healthy(URI uri) throws InterruptedException {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        }
    }
}
