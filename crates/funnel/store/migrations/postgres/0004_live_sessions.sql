-- Sessions while they run (postgres dialect): the lifecycle state and when it went live and
-- ended; each registrant's time in the room (first join, the open stay, finished stays); what
-- people say in the room (chat and questions, by a registrant or a host) and its moderation;
-- polls and their votes (one per registrant and poll); offers pinned in the room.
ALTER TABLE webinar_sessions ADD COLUMN state TEXT NOT NULL DEFAULT 'scheduled';
ALTER TABLE webinar_sessions ADD COLUMN live_at BIGINT;
ALTER TABLE webinar_sessions ADD COLUMN ended_at BIGINT;
ALTER TABLE webinar_registrants ADD COLUMN first_joined_at BIGINT;
ALTER TABLE webinar_registrants ADD COLUMN in_room_since BIGINT;
ALTER TABLE webinar_registrants ADD COLUMN watched_ms BIGINT NOT NULL DEFAULT 0;
CREATE TABLE webinar_messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES webinar_sessions(id) ON DELETE CASCADE,
    registrant_id BIGINT REFERENCES webinar_registrants(id) ON DELETE CASCADE,
    host_user_id BIGINT,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    at BIGINT NOT NULL,
    hidden BOOLEAN NOT NULL DEFAULT FALSE,
    answered BOOLEAN NOT NULL DEFAULT FALSE,
    highlighted BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX webinar_messages_session ON webinar_messages (session_id, id);
CREATE TABLE webinar_polls (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES webinar_sessions(id) ON DELETE CASCADE,
    question TEXT NOT NULL,
    options TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX webinar_polls_session ON webinar_polls (session_id, id);
CREATE TABLE webinar_votes (
    poll_id BIGINT NOT NULL REFERENCES webinar_polls(id) ON DELETE CASCADE,
    registrant_id BIGINT NOT NULL REFERENCES webinar_registrants(id) ON DELETE CASCADE,
    choice BIGINT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (poll_id, registrant_id)
);
CREATE TABLE webinar_offers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id BIGINT NOT NULL REFERENCES webinar_sessions(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    price TEXT NOT NULL,
    url TEXT NOT NULL,
    ends_at BIGINT,
    stock BIGINT,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);
CREATE INDEX webinar_offers_session ON webinar_offers (session_id, id);
