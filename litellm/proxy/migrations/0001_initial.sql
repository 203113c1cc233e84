-- Keys, users, teams, organisations, end users, budgets, the spend ledger and budget counters.
-- One text for PostgreSQL and SQLite: TEXT, BIGINT, DOUBLE PRECISION, INTEGER booleans, JSON in TEXT.
-- Times are UNIX seconds (DOUBLE PRECISION); money is USD (DOUBLE PRECISION).

CREATE TABLE litellm_verificationtoken (
    token TEXT PRIMARY KEY,              -- sha256 hex of the secret; the secret itself is never stored
    key_name TEXT,                       -- "sk-...abcd": enough to recognise a key, not to use it
    key_alias TEXT UNIQUE,
    user_id TEXT,
    team_id TEXT,
    organization_id TEXT,
    blocked INTEGER NOT NULL DEFAULT 0,
    expires DOUBLE PRECISION,
    budget_reset_at DOUBLE PRECISION,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    created_by TEXT,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX litellm_verificationtoken_user ON litellm_verificationtoken (user_id);
CREATE INDEX litellm_verificationtoken_team ON litellm_verificationtoken (team_id);

CREATE TABLE litellm_usertable (
    user_id TEXT PRIMARY KEY,
    user_email TEXT,
    user_role TEXT NOT NULL DEFAULT 'internal_user',
    organization_id TEXT,
    budget_reset_at DOUBLE PRECISION,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE litellm_teamtable (
    team_id TEXT PRIMARY KEY,
    team_alias TEXT,
    organization_id TEXT,
    blocked INTEGER NOT NULL DEFAULT 0,
    budget_reset_at DOUBLE PRECISION,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE litellm_organizationtable (
    organization_id TEXT PRIMARY KEY,
    organization_alias TEXT,
    budget_reset_at DOUBLE PRECISION,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE litellm_endusertable (
    user_id TEXT PRIMARY KEY,
    alias TEXT,
    blocked INTEGER NOT NULL DEFAULT 0,
    budget_id TEXT,
    budget_reset_at DOUBLE PRECISION,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE litellm_budgettable (
    budget_id TEXT PRIMARY KEY,
    created_at DOUBLE PRECISION NOT NULL,
    updated_at DOUBLE PRECISION NOT NULL,
    data TEXT NOT NULL DEFAULT '{}'
);

-- The ledger: one row per request, keyed by its call id (writes are INSERT .. ON CONFLICT DO NOTHING).
CREATE TABLE litellm_spendlogs (
    request_id TEXT PRIMARY KEY,
    call_type TEXT,
    api_key TEXT,                        -- key hash
    key_alias TEXT,
    user_id TEXT,
    team_id TEXT,
    organization_id TEXT,
    end_user TEXT,
    model TEXT,
    model_group TEXT,
    model_id TEXT,
    deployment TEXT,
    prompt_tokens BIGINT NOT NULL DEFAULT 0,
    completion_tokens BIGINT NOT NULL DEFAULT 0,
    total_tokens BIGINT NOT NULL DEFAULT 0,
    spend DOUBLE PRECISION NOT NULL DEFAULT 0,
    cache_hit INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    http_status INTEGER,
    start_time DOUBLE PRECISION NOT NULL,
    end_time DOUBLE PRECISION NOT NULL,
    day TEXT NOT NULL,                   -- UTC date of start_time, for the daily aggregates
    request_tags TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX litellm_spendlogs_key ON litellm_spendlogs (api_key, start_time);
CREATE INDEX litellm_spendlogs_user ON litellm_spendlogs (user_id, start_time);
CREATE INDEX litellm_spendlogs_team ON litellm_spendlogs (team_id, start_time);
CREATE INDEX litellm_spendlogs_end_user ON litellm_spendlogs (end_user, start_time);
CREATE INDEX litellm_spendlogs_day ON litellm_spendlogs (day);

-- Budget enforcement state when there is no Redis: settled spend per scope and period, and the open
-- reservations of requests in flight (expiring, so a killed instance cannot hold budget forever).
CREATE TABLE litellm_budget_spend (
    scope TEXT NOT NULL,
    period DOUBLE PRECISION NOT NULL,
    spend DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, period)
);
CREATE TABLE litellm_budget_reservations (
    call_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    period DOUBLE PRECISION NOT NULL,
    amount DOUBLE PRECISION NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (call_id, scope)
);
CREATE INDEX litellm_budget_reservations_scope ON litellm_budget_reservations (scope, period);

-- Leases for periodic jobs (budget resets): one holder at a time across instances.
CREATE TABLE litellm_leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL
);
