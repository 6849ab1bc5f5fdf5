/**
 * Ready-made ticket policies that compose with your own callbacks. {@link
 * io.github.ossltickets.policy.TicketBinding} binds each ticket to where it was issued (listener,
 * server name, ALPN protocol, certificate) and to a maximum age, so that a ticket key shared between
 * hosts does not let a ticket from one resume at another.
 */
package io.github.ossltickets.policy;
