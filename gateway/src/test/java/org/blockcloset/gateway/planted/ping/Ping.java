package org.blockcloset.gateway.planted.ping;

import org.blockcloset.gateway.planted.pong.Pong;

/** Half of a planted package cycle (ping → pong → ping) that LayeringTest must catch. */
public final class Ping {
    public Pong answer() {
        return new Pong();
    }
}
