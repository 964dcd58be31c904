-- Experiments (sqlite dialect): arms and goal as JSON text, one sticky assignment per
-- (experiment, visitor), and a numeric value column on events for value goals.
CREATE TABLE experiments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    funnel_id INTEGER NOT NULL REFERENCES funnels(id) ON DELETE CASCADE,
    step_id INTEGER NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    arms TEXT NOT NULL,
    goal TEXT NOT NULL,
    mode TEXT NOT NULL,
    auto_winner BOOLEAN NOT NULL,
    min_units INTEGER NOT NULL,
    status TEXT NOT NULL,
    winner INTEGER,
    decision TEXT,
    created_at INTEGER NOT NULL,
    ended_at INTEGER
);
CREATE INDEX experiments_step ON experiments (step_id, status);
CREATE TABLE experiment_assignments (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    visitor TEXT NOT NULL,
    arm INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, visitor)
);
ALTER TABLE events ADD COLUMN value DOUBLE PRECISION;
CREATE INDEX events_name_visitor ON events (name, visitor, ts);
