package io.github.ossltickets.ffi;

import com.sun.jna.Callback;

/**
 * {@code typedef int pem_password_cb(char *buf, int size, int rwflag, void *userdata);}
 *
 * <p>Writes the password into {@code buf} (at most {@code size} bytes) and returns its length;
 * 0 or less means "no password".
 */
public interface pem_password_cb extends Callback {
    int callback(long buf, int size, int rwflag, long userdata);
}
