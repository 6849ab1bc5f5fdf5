package io.github.ossltickets;

import java.lang.ref.Cleaner;

/** What the handle classes share. */
final class Handles {
    private Handles() {}

    /** One Cleaner thread for every handle's native memory. */
    static final Cleaner CLEANER = Cleaner.create();
}
