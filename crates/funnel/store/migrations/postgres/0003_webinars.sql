-- Webinars (postgres dialect): one per funnel, its schedule as JSON; a session per booked start
-- (one room each); a registrant per (session, contact), found by its secret join key.
CREATE TABLE webinars (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    funnel_id BIGINT NOT NULL UNIQUE REFERENCES funnels(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    schedule TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE webinar_sessions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webinar_id BIGINT NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    starts_at BIGINT NOT NULL,
    room TEXT NOT NULL UNIQUE,
    UNIQUE (webinar_id, starts_at)
);
CREATE TABLE webinar_registrants (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webinar_id BIGINT NOT NULL REFERENCES webinars(id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES webinar_sessions(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    join_key TEXT NOT NULL UNIQUE,
    visitor TEXT,
    variant TEXT,
    utm TEXT NOT NULL,
    registered_at BIGINT NOT NULL,
    UNIQUE (session_id, contact_id)
);
CREATE INDEX webinar_registrants_webinar ON webinar_registrants (webinar_id, id);
