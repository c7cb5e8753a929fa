package org.blockcloset.gateway.node;

import com.codahale.metrics.health.HealthCheck;
import org.blockcloset.ledger.Ledger;

/** Healthy once the views caught up with the log at start, and while the log and views run. */
public final class LedgerHealthCheck extends HealthCheck {
    private final Ledger ledger;

    public LedgerHealthCheck(Ledger ledger) {
        this.ledger = ledger;
    }

    @Override
    protected Result check() {
        return ledger.ready() ? Result.healthy("views applied through offset %d", ledger.progress().appliedOffset(0))
                : Result.unhealthy("views are %s", ledger.viewsState());
    }
}
