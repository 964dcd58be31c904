-- Webinar reminders (postgres dialect): each webinar's reminder schedule as JSON, in time order.
-- Webinars made before get the default schedule: the day before, an hour before, ten minutes
-- before, when it goes live, and the replay an hour after the end.
ALTER TABLE webinars ADD COLUMN reminders TEXT NOT NULL
    DEFAULT '[{"at":"before","minutes":1440},{"at":"before","minutes":60},{"at":"before","minutes":10},{"at":"live"},{"at":"replay","minutes":60}]';
