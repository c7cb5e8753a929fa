package org.blockcloset.gateway.node;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * The embedded broker's own count of partitions it leads with fewer in-sync replicas than
 * replicas (Kafka's ReplicaManager UnderReplicatedPartitions), read from JMX in this process.
 */
public final class UnderReplicatedPartitions {
    private UnderReplicatedPartitions() {
    }

    /** The count; -1 when the broker does not publish it (not started, or another Kafka version). */
    public static long local() {
        try {
            Object v = ManagementFactory.getPlatformMBeanServer().getAttribute(
                    new ObjectName("kafka.server:type=ReplicaManager,name=UnderReplicatedPartitions"), "Value");
            return v instanceof Number n ? n.longValue() : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
