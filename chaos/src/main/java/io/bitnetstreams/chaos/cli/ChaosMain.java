package io.bitnetstreams.chaos.cli;

import java.util.Arrays;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;

/** Entry of {@code bin/bitnet-streams chaos}. */
public final class ChaosMain {

    private ChaosMain() {
    }

    public static void main(String[] args) {
        // a broker that is down on purpose makes every client warn once a second; the progress lines say it anyway
        Configurator.setLevel("org.apache.kafka.clients.NetworkClient", Level.ERROR);
        String[] options = args.length > 0 && args[0].equals("chaos") ? Arrays.copyOfRange(args, 1, args.length) : args;
        System.exit(new CommandLine(new ChaosCommand()).execute(options));
    }
}
