-- Sessions while they run (postgres dialect): the lifecycle state and when it went live and
-- ended; each registrant's time in the room (first join, the open stay, finished stays).
ALTER TABLE webinar_sessions ADD COLUMN state TEXT NOT NULL DEFAULT 'scheduled';
ALTER TABLE webinar_sessions ADD COLUMN live_at BIGINT;
ALTER TABLE webinar_sessions ADD COLUMN ended_at BIGINT;
ALTER TABLE webinar_registrants ADD COLUMN first_joined_at BIGINT;
ALTER TABLE webinar_registrants ADD COLUMN in_room_since BIGINT;
ALTER TABLE webinar_registrants ADD COLUMN watched_ms BIGINT NOT NULL DEFAULT 0;
