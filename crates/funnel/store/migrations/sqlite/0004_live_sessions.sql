-- Sessions while they run (sqlite dialect): the lifecycle state and when it went live and
-- ended; each registrant's time in the room (first join, the open stay, finished stays).
ALTER TABLE webinar_sessions ADD COLUMN state TEXT NOT NULL DEFAULT 'scheduled';
ALTER TABLE webinar_sessions ADD COLUMN live_at INTEGER;
ALTER TABLE webinar_sessions ADD COLUMN ended_at INTEGER;
ALTER TABLE webinar_registrants ADD COLUMN first_joined_at INTEGER;
ALTER TABLE webinar_registrants ADD COLUMN in_room_since INTEGER;
ALTER TABLE webinar_registrants ADD COLUMN watched_ms INTEGER NOT NULL DEFAULT 0;
