package io.bitnetstreams.devstack.registry;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Main class of the registry child JVM: watches the parent process and ends this JVM when the parent
 * is gone (even after a SIGKILL, when the parent's shutdown hooks never run), then hands over to the
 * real main class.
 *
 * <p>Usage: {@code java -cp quarkus-run.jar:<dir with this class> ParentWatchdog <parentPid> <mainClass> [args...]}
 *
 * <p>It runs inside the child, so it depends on the JDK only (no SLF4J, no other class of ours) and is
 * copied into the child's classpath as a single class file. It has no nested classes for that reason.
 */
public final class ParentWatchdog {

    /** After a graceful exit was asked for, how long before the JVM is halted outright. */
    static final long HALT_AFTER_MILLIS = 10_000;

    private ParentWatchdog() {}

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ParentWatchdog <parentPid> <mainClass> [args...]");
            System.exit(2);
        }
        long parentPid;
        try {
            parentPid = Long.parseLong(args[0]);
        } catch (NumberFormatException e) {
            System.err.println("ParentWatchdog: parent pid is not a number: " + args[0]);
            System.exit(2);
            return;
        }
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty() || !parent.get().isAlive()) {
            System.err.println("ParentWatchdog: parent process " + parentPid + " is already gone; not starting");
            System.exit(3);
        }
        Thread watcher = new Thread(() -> watch(parent.get()), "parent-watchdog");
        watcher.setDaemon(true);
        watcher.start();
        runMain(args[1], Arrays.copyOfRange(args, 2, args.length));
    }

    private static void watch(ProcessHandle parent) {
        // onExit() fires when the process behind this handle ends; the handle carries the start time,
        // so a recycled pid is not mistaken for the parent.
        parent.onExit().join();
        System.err.println("ParentWatchdog: parent process " + parent.pid() + " is gone; stopping");
        // Ask for a graceful exit, and halt outright if shutdown hooks hang.
        CompletableFuture.delayedExecutor(HALT_AFTER_MILLIS, TimeUnit.MILLISECONDS)
                .execute(() -> Runtime.getRuntime().halt(4));
        System.exit(0);
    }

    private static void runMain(String mainClassName, String[] mainArgs) throws Throwable {
        Class<?> mainClass = Class.forName(mainClassName, true, ParentWatchdog.class.getClassLoader());
        Method main = mainClass.getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) mainArgs);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
