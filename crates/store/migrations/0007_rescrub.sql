-- `hookwatch rescrub`: how far re-scrubbing with a given rule set has come,
-- so an interrupted run resumes where it stopped and a new rule set starts
-- over. One row per table walked.
CREATE TABLE rescrub_cursor (
    tbl     TEXT    PRIMARY KEY,
    rules   TEXT    NOT NULL,   -- the rule set's version (hookwatch_scrub::RULES_VERSION)
    last_id INTEGER NOT NULL
);
