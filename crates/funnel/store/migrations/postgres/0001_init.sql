-- Funnel schema, PostgreSQL dialect. Times are Unix milliseconds; JSON is TEXT.
CREATE TABLE funnels (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    locale TEXT,
    created_at BIGINT NOT NULL
);
CREATE TABLE steps (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    funnel_id BIGINT NOT NULL REFERENCES funnels(id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    position BIGINT NOT NULL,
    redirect_url TEXT,
    UNIQUE (funnel_id, slug)
);
CREATE TABLE edges (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    funnel_id BIGINT NOT NULL REFERENCES funnels(id) ON DELETE CASCADE,
    from_step BIGINT NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    to_step BIGINT NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    condition TEXT NOT NULL,
    priority BIGINT NOT NULL
);
CREATE INDEX edges_funnel ON edges (funnel_id);
CREATE TABLE pages (
    step_id BIGINT PRIMARY KEY REFERENCES steps(id) ON DELETE CASCADE,
    draft TEXT NOT NULL,
    version BIGINT NOT NULL,
    published_version BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE TABLE page_versions (
    step_id BIGINT NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    doc TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (step_id, version)
);
CREATE TABLE contacts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    phone TEXT,
    labels TEXT NOT NULL,
    consents TEXT NOT NULL,
    opt_in TEXT NOT NULL,
    first_visitor TEXT,
    utm_first TEXT NOT NULL,
    utm_last TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    ts BIGINT NOT NULL,
    visitor TEXT NOT NULL,
    contact_id BIGINT,
    session TEXT NOT NULL,
    funnel_id BIGINT,
    step_id BIGINT,
    variant TEXT,
    name TEXT NOT NULL,
    props TEXT NOT NULL,
    utm_first TEXT NOT NULL,
    utm_last TEXT NOT NULL,
    utm_source TEXT,
    utm_campaign TEXT,
    bot BOOLEAN NOT NULL
);
CREATE INDEX events_funnel ON events (funnel_id, name, ts);
CREATE INDEX events_visitor ON events (visitor, ts);
CREATE INDEX events_contact ON events (contact_id, ts);
CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE api_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
