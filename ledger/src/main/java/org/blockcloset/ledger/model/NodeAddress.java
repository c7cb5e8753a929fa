package org.blockcloset.ledger.model;

/** Where a node is reached: its host (as the other nodes see it) and its ports. */
public record NodeAddress(String host, int s3Port, int adminPort, int clusterPort, int kafkaPort, int controllerPort) {
    public String clusterUrl() {
        return "https://" + host + ":" + clusterPort;
    }

    public String kafkaBootstrap() {
        return host + ":" + kafkaPort;
    }

    public String controllerBootstrap() {
        return host + ":" + controllerPort;
    }
}
