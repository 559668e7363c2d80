-- Attention notifications ([notify]: Claude is done, needs you, is idle,
-- failed). Each event is looked at exactly once, by a cursor moved in the
-- same transaction as the decisions it produced (as alert routing); the
-- cursor starts at the newest event, so turning [notify] on never
-- notifies history.
CREATE TABLE attention_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL
);
INSERT INTO attention_cursor VALUES (1, (SELECT coalesce(max(id), 0) FROM events));

-- One row per event that deserved a person's attention, and what became
-- of it. state: held (a "done" waiting `settle` to see if the turn goes
-- on), sent (notifications in the outbox: `keys`), suppressed (`reason`).
CREATE TABLE attention (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL UNIQUE,
    time_us    INTEGER NOT NULL,
    session    TEXT,
    kind       TEXT    NOT NULL,
    cause      TEXT    NOT NULL,
    turn_key   TEXT,
    state      TEXT    NOT NULL,
    reason     TEXT,
    due_us     INTEGER,
    decided_us INTEGER,
    keys       TEXT
);
CREATE INDEX attention_session ON attention(session, kind, state, time_us);
CREATE INDEX attention_turn ON attention(turn_key) WHERE turn_key IS NOT NULL;
CREATE INDEX attention_held ON attention(due_us) WHERE state = 'held';
