package io.bitnetstreams.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One container of a deployment file (a Kubernetes pod template's container or a Compose service), reduced to what
 * the checks need: image, arguments, the environment as the process would see it, ports and HTTP probes.
 *
 * @param owner       "StatefulSet/topology", "compose/worker", ...
 * @param image       the image reference
 * @param args        command-line arguments after the entrypoint (the subcommand first)
 * @param environment variables with values resolved: literals, ConfigMap keys, {@code $(VAR)} expansion;
 *                    Secret references become {@code <secret:NAME/KEY>}, field references {@code <field:PATH>}
 * @param secretVariables names of the variables whose value comes from a Secret
 * @param ports       container port names (Kubernetes) to numbers
 * @param probes      probe kind ("readiness", "healthcheck", ...) to its HTTP path and port number
 * @param mounts      mount path to volume name
 */
record Workload(String owner, String image, List<String> args, Map<String, String> environment,
                List<String> secretVariables, Map<String, Integer> ports, Map<String, Probe> probes,
                Map<String, String> mounts) {

    record Probe(String path, int port) {}

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    String subcommand() {
        return args.isEmpty() ? "" : args.getFirst();
    }

    /** The containers (init containers too) of a pod template, resolving ConfigMaps from {@code configMaps}. */
    @SuppressWarnings("unchecked")
    static List<Workload> ofPod(String owner, Map<String, Object> podSpec, Map<String, Map<String, String>> configMaps) {
        List<Workload> workloads = new ArrayList<>();
        Map<String, String> volumes = new LinkedHashMap<>();
        for (Map<String, Object> volume : list(podSpec.get("volumes"))) {
            Object claim = volume.get("persistentVolumeClaim");
            volumes.put((String) volume.get("name"), claim == null ? (String) volume.get("name")
                    : "pvc:" + ((Map<String, Object>) claim).get("claimName"));
        }
        List<Map<String, Object>> containers = new ArrayList<>(list(podSpec.get("initContainers")));
        containers.addAll(list(podSpec.get("containers")));
        for (Map<String, Object> container : containers) {
            Map<String, String> env = new LinkedHashMap<>();
            List<String> secrets = new ArrayList<>();
            for (Map<String, Object> source : list(container.get("envFrom"))) {
                Map<String, Object> ref = (Map<String, Object>) source.get("configMapRef");
                if (ref == null) {
                    throw new AssertionError(owner + ": envFrom other than a ConfigMap: " + source);
                }
                env.putAll(configMap(configMaps, owner, (String) ref.get("name")));
            }
            for (Map<String, Object> variable : list(container.get("env"))) {
                String name = (String) variable.get("name");
                env.put(name, value(owner, name, variable, env, configMaps, secrets));
            }
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (Map<String, Object> port : list(container.get("ports"))) {
                ports.put(String.valueOf(port.get("name")), (Integer) port.get("containerPort"));
            }
            Map<String, Probe> probes = new LinkedHashMap<>();
            for (String kind : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                Map<String, Object> probe = (Map<String, Object>) container.get(kind);
                if (probe != null && probe.get("httpGet") != null) {
                    Map<String, Object> get = (Map<String, Object>) probe.get("httpGet");
                    Object port = get.get("port");
                    Integer number = port instanceof Integer n ? n : ports.get(String.valueOf(port));
                    if (number == null) {
                        throw new AssertionError(owner + ": " + kind + " names port " + port + ", which the container does not have");
                    }
                    probes.put(kind, new Probe((String) get.get("path"), number));
                }
            }
            Map<String, String> mounts = new LinkedHashMap<>();
            for (Map<String, Object> mount : list(container.get("volumeMounts"))) {
                mounts.put((String) mount.get("mountPath"), volumes.getOrDefault((String) mount.get("name"), (String) mount.get("name")));
            }
            List<String> args = new ArrayList<>();
            strings(container.get("command")).forEach(args::add);
            strings(container.get("args")).forEach(args::add);
            workloads.add(new Workload(owner + "/" + container.get("name"), (String) container.get("image"), args, env,
                    secrets, ports, probes, mounts));
        }
        return workloads;
    }

    @SuppressWarnings("unchecked")
    private static String value(String owner, String name, Map<String, Object> variable, Map<String, String> env,
                                Map<String, Map<String, String>> configMaps, List<String> secrets) {
        if (variable.containsKey("value")) {
            return expand(String.valueOf(variable.get("value")), env);
        }
        Map<String, Object> from = (Map<String, Object>) variable.get("valueFrom");
        if (from == null) {
            return "";
        }
        if (from.get("configMapKeyRef") instanceof Map<?, ?> ref) {
            Map<String, String> data = configMap(configMaps, owner, (String) ref.get("name"));
            String value = data.get((String) ref.get("key"));
            if (value == null) {
                throw new AssertionError(owner + ": " + name + " reads key " + ref.get("key") + " that ConfigMap " + ref.get("name") + " lacks");
            }
            return value;
        }
        if (from.get("secretKeyRef") instanceof Map<?, ?> ref) {
            secrets.add(name);
            return "<secret:" + ref.get("name") + "/" + ref.get("key") + ">";
        }
        if (from.get("fieldRef") instanceof Map<?, ?> ref) {
            return "<field:" + ref.get("fieldPath") + ">";
        }
        throw new AssertionError(owner + ": unsupported valueFrom for " + name + ": " + from);
    }

    /** Kubernetes' {@code $(VAR)} expansion of variables defined earlier in the list. */
    static String expand(String value, Map<String, String> env) {
        Matcher matcher = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement = env.getOrDefault(matcher.group(1), matcher.group());
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static Map<String, String> configMap(Map<String, Map<String, String>> configMaps, String owner, String name) {
        Map<String, String> data = configMaps.get(name);
        if (data == null) {
            throw new AssertionError(owner + " refers to ConfigMap " + name + ", which is not rendered");
        }
        return data;
    }

    static List<String> strings(Object value) {
        return value == null ? List.of() : ((List<?>) value).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object value) {
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }
}
