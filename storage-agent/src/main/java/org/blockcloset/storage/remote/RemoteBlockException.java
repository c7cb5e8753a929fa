package org.blockcloset.storage.remote;

import java.io.IOException;

/** Another node's block API refused a call or failed it; {@link #status()} is its HTTP status. */
public final class RemoteBlockException extends IOException {
    private final int status;

    public RemoteBlockException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
