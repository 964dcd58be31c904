-- Funnel schema, SQLite dialect. Times are Unix milliseconds; JSON is TEXT.
CREATE TABLE funnels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    locale TEXT,
    created_at INTEGER NOT NULL
);
CREATE TABLE steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    funnel_id INTEGER NOT NULL REFERENCES funnels(id) ON DELETE CASCADE,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    position INTEGER NOT NULL,
    redirect_url TEXT,
    UNIQUE (funnel_id, slug)
);
CREATE TABLE edges (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    funnel_id INTEGER NOT NULL REFERENCES funnels(id) ON DELETE CASCADE,
    from_step INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    to_step INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    condition TEXT NOT NULL,
    priority INTEGER NOT NULL
);
CREATE INDEX edges_funnel ON edges (funnel_id);
CREATE TABLE pages (
    step_id INTEGER PRIMARY KEY REFERENCES steps(id) ON DELETE CASCADE,
    draft TEXT NOT NULL,
    version INTEGER NOT NULL,
    published_version INTEGER,
    updated_at INTEGER NOT NULL
);
CREATE TABLE page_versions (
    step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (step_id, version)
);
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    phone TEXT,
    labels TEXT NOT NULL,
    consents TEXT NOT NULL,
    opt_in TEXT NOT NULL,
    first_visitor TEXT,
    utm_first TEXT NOT NULL,
    utm_last TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    ts INTEGER NOT NULL,
    visitor TEXT NOT NULL,
    contact_id INTEGER,
    session TEXT NOT NULL,
    funnel_id INTEGER,
    step_id INTEGER,
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
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
