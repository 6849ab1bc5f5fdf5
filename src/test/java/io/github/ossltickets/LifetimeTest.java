package io.github.ossltickets;

import org.junit.jupiter.api.Test;

/**
 * The lifetime model's hard cases ({@link LifetimeCases}), each in a JVM of its own: before the model,
 * each crashed the JVM, returned corrupted data or ran out of memory. A regression fails the case by
 * name and shows the crash, instead of killing the test run.
 */
class LifetimeTest {

    private static void inChildJvm(String method, String... jvmOptions) {
        ChildJvm.run(LifetimeCases.class, method, jvmOptions);
    }

    @Test
    void closeFromTheGenerator() {
        inChildJvm("closeFromTheGenerator");
    }

    @Test
    void closeFromTheDecryptor() {
        inChildJvm("closeFromTheDecryptor");
    }

    @Test
    void reEntryFromEveryCallbackIsRefused() {
        inChildJvm("reEntryFromEveryCallbackIsRefused");
    }

    @Test
    void reEntryThatEscapesFailsTheHandshakeCleanly() {
        inChildJvm("reEntryThatEscapesFailsTheHandshakeCleanly");
    }

    @Test
    void closeFromAnotherThreadWhileACallbackRuns() {
        inChildJvm("closeFromAnotherThreadWhileACallbackRuns");
    }

    @Test
    void aContextKeptByANativeLibraryKeepsItsCallbacks() {
        inChildJvm("aContextKeptByANativeLibraryKeepsItsCallbacks");
    }

    @Test
    void aConnectionWithoutABioIsRefusedBeforeOpenSsl() {
        inChildJvm("aConnectionWithoutABioIsRefusedBeforeOpenSsl");
    }

    @Test
    void readingAppDataWhileTheGcRuns() {
        inChildJvm("readingAppDataWhileTheGcRuns", "-XX:+UseSerialGC", "-Xmn6m", "-Xmx256m");
    }

    @Test
    void replacingCallbacksAccumulatesNothing() {
        inChildJvm("replacingCallbacksAccumulatesNothing", "-Xmx64m");
    }

    @Test
    void changingTheContextFromItsOwnCallbacks() {
        inChildJvm("changingTheContextFromItsOwnCallbacks");
    }

    @Test
    void closingASessionWhileAnotherThreadReadsIt() {
        inChildJvm("closingASessionWhileAnotherThreadReadsIt");
    }

    @Test
    void aLentSessionReadOnAnotherThread() {
        inChildJvm("aLentSessionReadOnAnotherThread");
    }

    @Test
    void theOwnerOfABorrowedContextMayFreeFirst() {
        inChildJvm("theOwnerOfABorrowedContextMayFreeFirst");
    }

    @Test
    void callbacksHoldingTheirOwnContextDoNotKeepIt() {
        inChildJvm("callbacksHoldingTheirOwnContextDoNotKeepIt");
    }

    @Test
    void callbacksHoldingTheirBorrowedContextDoNotKeepIt() {
        inChildJvm("callbacksHoldingTheirBorrowedContextDoNotKeepIt");
    }

    @Test
    void borrowedSessionAndConnectionCannotBeUsedAfterTheCallback() {
        inChildJvm("borrowedSessionAndConnectionCannotBeUsedAfterTheCallback");
    }

    @Test
    void aConnectionOutlivesItsClosedContextAndItsCallbacksStillRun() {
        inChildJvm("aConnectionOutlivesItsClosedContextAndItsCallbacksStillRun");
    }

    @Test
    void callbacksOutliveTheirCollectedContextHandleWhileAConnectionLives() {
        inChildJvm("callbacksOutliveTheirCollectedContextHandleWhileAConnectionLives");
    }

    @Test
    void aNetworkBioOutlivingItsConnectionAndTheOtherWayRound() {
        inChildJvm("aNetworkBioOutlivingItsConnectionAndTheOtherWayRound");
    }
}
