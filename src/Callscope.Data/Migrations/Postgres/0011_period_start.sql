-- The day of the month (1 to 28, UTC) on which a team's usage period starts (docs/statistics.md, "The current
-- period"); 1 is the calendar month. Days past the 28th are not offered, so that every month has the day.
ALTER TABLE teams ADD COLUMN period_start_day BIGINT NOT NULL DEFAULT 1;
