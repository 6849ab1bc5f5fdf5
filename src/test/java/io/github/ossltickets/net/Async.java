package io.github.ossltickets.net;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * CompletableFuture's async methods on a thread of their own each. Their default, the common
 * ForkJoinPool, has one thread on a 2-core machine on recent JDKs: a task blocked on a socket (a
 * reader waiting for a silent peer) would then hold up every other task of the test.
 */
final class Async {
    private Async() {}

    private static final Executor THREAD_PER_TASK = task -> {
        Thread thread = new Thread(task, "test-async");
        thread.setDaemon(true);
        thread.start();
    };

    static <T> CompletableFuture<T> supply(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, THREAD_PER_TASK);
    }

    static CompletableFuture<Void> run(Runnable task) {
        return CompletableFuture.runAsync(task, THREAD_PER_TASK);
    }
}
