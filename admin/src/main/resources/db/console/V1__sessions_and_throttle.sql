-- Console sessions: the cookie holds a random token; only its SHA-256 is stored here.
CREATE TABLE console_session (
    token_hash  VARCHAR(64)  PRIMARY KEY,
    username    VARCHAR(200) NOT NULL,
    csrf_token  VARCHAR(64)  NOT NULL,
    created_at  BIGINT       NOT NULL,
    last_seen   BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL,
    client      VARCHAR(100) NOT NULL
);
CREATE INDEX console_session_expires ON console_session (expires_at);

-- Failed console logins per client address, for throttling.
CREATE TABLE login_failure (
    client        VARCHAR(100) PRIMARY KEY,
    failures      INT          NOT NULL,
    first_failure BIGINT       NOT NULL,
    locked_until  BIGINT       NOT NULL
);
