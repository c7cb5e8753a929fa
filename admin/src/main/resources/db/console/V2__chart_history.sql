-- One row per sampling interval: the S3 requests this node served, how many failed, and latency.
CREATE TABLE chart_sample (
    at          BIGINT PRIMARY KEY,
    requests    BIGINT NOT NULL,
    client_errors BIGINT NOT NULL,
    server_errors BIGINT NOT NULL,
    p50_micros  BIGINT NOT NULL,
    p99_micros  BIGINT NOT NULL
);
