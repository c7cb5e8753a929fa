package org.blockcloset.ledger.event;

/**
 * An admin asked for a node to be emptied before it is removed: the layout places nothing on it any
 * more, the other nodes copy its blocks, it drops each copy once the new holders confirmed theirs,
 * and it keeps serving meanwhile.
 */
public record NodeDraining(String nodeId) implements Event {
    @Override
    public String entityKey() {
        return Keys.CLUSTER;
    }
}
