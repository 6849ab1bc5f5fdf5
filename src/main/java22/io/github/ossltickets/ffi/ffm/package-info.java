/**
 * Layer 1 on the JDK's foreign function API (JDK 22 and later, where it is the default): the FFM twin
 * of {@code io.github.ossltickets.ffi}'s JNA mapping, with the same class, function and parameter
 * names, behind {@link io.github.ossltickets.ffi.Backend}. {@code io.github.ossltickets.ffi.Raw} makes
 * {@link io.github.ossltickets.ffi.ffm.FfmBackend} by name, so no Java 17 class refers to this package.
 *
 * <p>Downcalls are {@code Linker} method handles: {@code critical} where OpenSSL never runs Java from
 * the call, normal where it may (handshakes, reads, writes, frees). Each callback object becomes one
 * upcall stub, freed when OpenSSL frees the {@code SSL_CTX} that holds it. The classes are compiled into
 * {@code META-INF/versions/22} of the multi-release jar; the module does not export the package.
 */
package io.github.ossltickets.ffi.ffm;
