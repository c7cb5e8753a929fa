package org.blockcloset.storage;

import java.io.IOException;

/** A write would exceed the capacity the owner lent this agent. */
public class InsufficientStorageException extends IOException {
    public InsufficientStorageException(long wanted, long free) {
        super("insufficient storage: wanted " + wanted + " bytes, " + free + " free");
    }
}
