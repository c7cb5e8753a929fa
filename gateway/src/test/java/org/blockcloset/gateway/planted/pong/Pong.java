package org.blockcloset.gateway.planted.pong;

import org.blockcloset.gateway.planted.ping.Ping;

/** The other half of the planted package cycle, as S3Error in gateway.s3 once made of s3 and auth. */
public final class Pong {
    public Ping serve() {
        return new Ping();
    }
}
