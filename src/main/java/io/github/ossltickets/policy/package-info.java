/**
 * Ready-made ticket policies that compose with your own callbacks. {@link
 * io.github.ossltickets.policy.TicketBinding} binds each ticket to where it was issued (listener,
 * server name, ALPN protocol, certificate) and to a maximum age, so that a ticket key shared between
 * hosts does not let a ticket from one resume at another.
 *
 * <p>It sits above the root package ({@code io.github.ossltickets}: it wraps a context's
 * {@code TicketGenerator} and {@code TicketDecryptor}, reads the {@code ClientHello} copy, and stores its
 * fields in {@code TicketData}) and the {@code keys} package, whose shared rings make the binding
 * necessary; {@code net} and {@code cli} use it ({@code serve --bind-tickets}).
 */
package io.github.ossltickets.policy;
