/**
 * The command line, {@code scripts/ossl-tickets} or {@code java -jar ossl-tickets.jar}: {@code demo}
 * (the README's table), {@code matrix} (the scenarios the C program {@code native/ticket_matrix} runs),
 * {@code serve} (an HTTPS server showing each handshake's tickets) and {@code keys} (key files).
 *
 * <p>It sits on top: it uses the root package, {@code keys}, {@code net} and, for {@code serve --redis},
 * {@code redis}; nothing uses it. The module does not export it; its main class is
 * {@code io.github.ossltickets.cli.Main}.
 */
package io.github.ossltickets.cli;
