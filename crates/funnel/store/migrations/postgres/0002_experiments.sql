-- Experiments (postgres dialect): arms and goal as JSON text, one sticky assignment per
-- (experiment, visitor), and a numeric value column on events for value goals.
CREATE TABLE experiments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    funnel_id BIGINT NOT NULL REFERENCES funnels(id) ON DELETE CASCADE,
    step_id BIGINT NOT NULL REFERENCES steps(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    arms TEXT NOT NULL,
    goal TEXT NOT NULL,
    mode TEXT NOT NULL,
    auto_winner BOOLEAN NOT NULL,
    min_units BIGINT NOT NULL,
    status TEXT NOT NULL,
    winner BIGINT,
    decision TEXT,
    created_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX experiments_step ON experiments (step_id, status);
CREATE TABLE experiment_assignments (
    experiment_id BIGINT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    visitor TEXT NOT NULL,
    arm BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    PRIMARY KEY (experiment_id, visitor)
);
ALTER TABLE events ADD COLUMN value DOUBLE PRECISION;
CREATE INDEX events_name_visitor ON events (name, visitor, ts);
