"""Schema migrations, in order. Never edit a released entry: append a new one."""

# Each entry moves the schema from version i to i + 1 (PRAGMA user_version) and is applied in
# its own transaction. Timestamps are ISO 8601 strings in UTC.
MIGRATIONS: list[str] = [
    # 1: members, roles granted in the bot, invites, admin audit log
    """
    CREATE TABLE members (
        user_id         INTEGER PRIMARY KEY,
        first_name      TEXT NOT NULL DEFAULT '',
        username        TEXT,
        department_id   TEXT,
        language        TEXT,
        status          TEXT NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'inactive', 'left')),
        daily_question  INTEGER NOT NULL DEFAULT 1,
        joined_at       TEXT NOT NULL,
        updated_at      TEXT NOT NULL
    );
    CREATE INDEX members_department ON members (department_id, status);

    CREATE TABLE member_roles (
        user_id     INTEGER NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
        role        TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'leader')),
        granted_by  INTEGER,
        granted_at  TEXT NOT NULL,
        PRIMARY KEY (user_id, role)
    );

    CREATE TABLE invites (
        code            TEXT PRIMARY KEY,
        department_id   TEXT NOT NULL,
        created_by      INTEGER,
        created_at      TEXT NOT NULL,
        max_uses        INTEGER CHECK (max_uses IS NULL OR max_uses > 0),
        uses            INTEGER NOT NULL DEFAULT 0,
        expires_at      TEXT,
        revoked         INTEGER NOT NULL DEFAULT 0
    );

    CREATE TABLE admin_audit (
        id          INTEGER PRIMARY KEY,
        at          TEXT NOT NULL,
        actor_id    INTEGER NOT NULL,
        action      TEXT NOT NULL,
        target      TEXT,
        detail      TEXT
    );
    """,
    # 2: quizzes: sessions (one active interactive session per member), answers, the Leitner
    # mistake book, assigned tests and their results
    """
    CREATE TABLE quiz_sessions (
        id              INTEGER PRIMARY KEY,
        user_id         INTEGER NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
        kind            TEXT NOT NULL CHECK (kind IN ('quiz', 'review', 'daily', 'assigned')),
        bank_id         TEXT,
        assignment_id   INTEGER REFERENCES assignments (id) ON DELETE SET NULL,
        items           TEXT NOT NULL,
        position        INTEGER NOT NULL DEFAULT 0,
        selection       TEXT NOT NULL DEFAULT '',
        correct         INTEGER NOT NULL DEFAULT 0,
        message_id      INTEGER,
        status          TEXT NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'finished', 'abandoned')),
        started_at      TEXT NOT NULL,
        finished_at     TEXT
    );
    CREATE UNIQUE INDEX quiz_sessions_one_active
        ON quiz_sessions (user_id, kind = 'daily') WHERE status = 'active';
    CREATE INDEX quiz_sessions_finished ON quiz_sessions (finished_at) WHERE status = 'finished';

    CREATE TABLE answers (
        id              INTEGER PRIMARY KEY,
        session_id      INTEGER NOT NULL REFERENCES quiz_sessions (id) ON DELETE CASCADE,
        user_id         INTEGER NOT NULL,
        question_id     TEXT NOT NULL,
        bank_id         TEXT NOT NULL,
        correct         INTEGER NOT NULL,
        answered_at     TEXT NOT NULL,
        UNIQUE (session_id, question_id)
    );
    CREATE INDEX answers_user ON answers (user_id, answered_at);
    CREATE INDEX answers_time ON answers (answered_at);

    CREATE TABLE review_items (
        user_id         INTEGER NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
        question_id     TEXT NOT NULL,
        box             INTEGER NOT NULL,
        due_at          TEXT NOT NULL,
        last_seen       TEXT NOT NULL,
        PRIMARY KEY (user_id, question_id)
    );
    CREATE INDEX review_items_due ON review_items (user_id, due_at);

    CREATE TABLE assignments (
        id              INTEGER PRIMARY KEY,
        bank_id         TEXT NOT NULL,
        departments     TEXT,
        question_count  INTEGER NOT NULL,
        deadline        TEXT NOT NULL,
        created_by      INTEGER NOT NULL,
        created_at      TEXT NOT NULL
    );

    CREATE TABLE assignment_results (
        assignment_id   INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
        user_id         INTEGER NOT NULL,
        session_id      INTEGER REFERENCES quiz_sessions (id) ON DELETE SET NULL,
        correct         INTEGER NOT NULL,
        total           INTEGER NOT NULL,
        completed_at    TEXT NOT NULL,
        PRIMARY KEY (assignment_id, user_id)
    );
    """,
    # 3: the delivery engine: one campaign per broadcast, one outbox row per (campaign, member),
    # and acknowledgements of reminders
    """
    CREATE TABLE campaigns (
        id              INTEGER PRIMARY KEY,
        key             TEXT NOT NULL UNIQUE,
        kind            TEXT NOT NULL,
        payload         TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'running'
                        CHECK (status IN ('running', 'done', 'cancelled')),
        created_by      INTEGER,
        created_at      TEXT NOT NULL,
        finished_at     TEXT,
        progress_chat   INTEGER,
        progress_message INTEGER
    );

    CREATE TABLE outbox (
        campaign_id     INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
        user_id         INTEGER NOT NULL,
        status          TEXT NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked',
                                          'unknown', 'skipped')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        message_id      INTEGER,
        error           TEXT,
        updated_at      TEXT,
        PRIMARY KEY (campaign_id, user_id)
    );
    CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);

    CREATE TABLE acknowledgements (
        campaign_id     INTEGER NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
        user_id         INTEGER NOT NULL,
        at              TEXT NOT NULL,
        PRIMARY KEY (campaign_id, user_id)
    );
    """,
    # 4: anonymous reports. Nothing here identifies the sender: no user id, chat id,
    # username, message id or time of day (dates only); the receipt code is stored only as an
    # HMAC with a secret kept outside the database; reports share no sequence with member data.
    """
    CREATE TABLE reports (
        id              INTEGER PRIMARY KEY,
        ref             TEXT NOT NULL UNIQUE,
        receipt_hash    TEXT NOT NULL UNIQUE,
        category        TEXT NOT NULL,
        unit            TEXT NOT NULL,
        body            TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'new'
                        CHECK (status IN ('new', 'checking', 'closed', 'rejected', 'transferred')),
        submitted_on    TEXT NOT NULL,
        closed_on       TEXT,
        notified        INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX reports_status ON reports (status, submitted_on);

    CREATE TABLE report_attachments (
        report_id       INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
        file_id         TEXT NOT NULL,
        file_name       TEXT,
        PRIMARY KEY (report_id, position)
    );

    CREATE TABLE report_messages (
        id              INTEGER PRIMARY KEY,
        report_id       INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        direction       TEXT NOT NULL CHECK (direction IN ('reporter', 'reviewer')),
        body            TEXT NOT NULL,
        sent_on         TEXT NOT NULL
    );

    CREATE TABLE report_notes (
        id              INTEGER PRIMARY KEY,
        report_id       INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        reviewer_id     INTEGER NOT NULL,
        body            TEXT NOT NULL,
        at              TEXT NOT NULL
    );

    CREATE TABLE report_audit (
        id              INTEGER PRIMARY KEY,
        at              TEXT NOT NULL,
        reviewer_id     INTEGER NOT NULL,
        action          TEXT NOT NULL,
        report_ref      TEXT NOT NULL,
        detail          TEXT
    );
    """,
    # 5: the weekly digest groups a week's answers by question: an index that answers that from
    # the index alone (answers_time is its prefix, so it goes)
    """
    CREATE INDEX answers_time_question ON answers (answered_at, question_id, correct);
    DROP INDEX answers_time;
    """,
    # 6: the mistake book moves from Leitner boxes to FSRS cards (bot/domain/mistakes.py), and
    # answers get an index for item analysis (bot/storage/items.py).
    # Every item stays, due when it was due. Its stability is the interval its box gave it (due
    # minus last answer, which holds whatever quiz.review_intervals said): FSRS schedules a card
    # at 90 % recall, which falls exactly at t = stability, so the old due date is the one FSRS
    # would have set. Its difficulty is what FSRS gives a first wrong answer under the
    # default parameters (w4 = 6.4133): every item entered the book with a miss, and right
    # answers leave an FSRS difficulty all but unchanged.
    """
    CREATE TABLE review_cards (
        user_id         INTEGER NOT NULL REFERENCES members (user_id) ON DELETE CASCADE,
        question_id     TEXT NOT NULL,
        stability       REAL NOT NULL,
        difficulty      REAL NOT NULL,
        due_at          TEXT NOT NULL,
        last_review     TEXT NOT NULL,
        PRIMARY KEY (user_id, question_id)
    );
    INSERT INTO review_cards (user_id, question_id, stability, difficulty, due_at, last_review)
    SELECT user_id, question_id,
           MAX(julianday(due_at) - julianday(last_seen), 1.0), 6.4133, due_at, last_seen
    FROM review_items;
    DROP TABLE review_items;
    ALTER TABLE review_cards RENAME TO review_items;
    CREATE INDEX review_items_due ON review_items (user_id, due_at);

    -- Item analysis reads every member's first attempt at each question, and /me reads one
    -- member's answers: one covering index serves both, in place of answers_user (nothing reads
    -- a member's answers in time order), so answering writes no more index entries than before.
    CREATE INDEX answers_member_question ON answers (user_id, question_id, correct, answered_at);
    DROP INDEX answers_user;
    """,
    # 7: anonymity against a reader of the files. Reports get random ids and their rows keep
    # no hidden rowid (WITHOUT ROWID), thread messages a per-report sequence, so no sequence
    # orders a reporter's write among other rows; messages and reports become visible to
    # reviewers only when the hourly batch announces them; an export is audited without a
    # count; the heartbeat row is what every write tick rewrites, report or no report.
    """
    CREATE TABLE heartbeat (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        value           BLOB NOT NULL
    );
    INSERT INTO heartbeat (id, value) VALUES (1, randomblob(16));

    CREATE TEMP TABLE report_ids AS
        SELECT id AS old_id, (random() & 0x3FFFFFFFFFFFFFFF) + 1 AS new_id FROM reports;

    CREATE TABLE reports_new (
        id              INTEGER PRIMARY KEY,
        ref             TEXT NOT NULL UNIQUE,
        receipt_hash    TEXT NOT NULL UNIQUE,
        category        TEXT NOT NULL,
        unit            TEXT NOT NULL,
        body            TEXT NOT NULL,
        status          TEXT NOT NULL DEFAULT 'new'
                        CHECK (status IN ('new', 'checking', 'closed', 'rejected', 'transferred')),
        submitted_on    TEXT NOT NULL,
        closed_on       TEXT,
        notified        INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO reports_new (id, ref, receipt_hash, category, unit, body, status,
                             submitted_on, closed_on, notified)
        SELECT m.new_id, r.ref, r.receipt_hash, r.category, r.unit, r.body, r.status,
               r.submitted_on, r.closed_on, r.notified
        FROM reports r JOIN report_ids m ON m.old_id = r.id ORDER BY m.new_id;

    CREATE TABLE report_attachments_new (
        report_id       INTEGER NOT NULL REFERENCES reports_new (id) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
        file_id         TEXT NOT NULL,
        sanitized       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (report_id, position)
    ) WITHOUT ROWID;
    INSERT INTO report_attachments_new (report_id, position, kind, file_id)
        SELECT m.new_id, a.position, a.kind, a.file_id
        FROM report_attachments a JOIN report_ids m ON m.old_id = a.report_id
        ORDER BY m.new_id, a.position;

    CREATE TABLE report_messages_new (
        report_id       INTEGER NOT NULL REFERENCES reports_new (id) ON DELETE CASCADE,
        seq             INTEGER NOT NULL,
        direction       TEXT NOT NULL CHECK (direction IN ('reporter', 'reviewer')),
        body            TEXT NOT NULL,
        sent_on         TEXT NOT NULL,
        announced       INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (report_id, seq)
    ) WITHOUT ROWID;
    INSERT INTO report_messages_new (report_id, seq, direction, body, sent_on, announced)
        SELECT m.new_id, row_number() OVER (PARTITION BY x.report_id ORDER BY x.id),
               x.direction, x.body, x.sent_on, 1
        FROM report_messages x JOIN report_ids m ON m.old_id = x.report_id
        ORDER BY m.new_id, x.id;

    CREATE TABLE report_notes_new (
        id              INTEGER PRIMARY KEY,
        report_id       INTEGER NOT NULL REFERENCES reports_new (id) ON DELETE CASCADE,
        reviewer_id     INTEGER NOT NULL,
        body            TEXT NOT NULL,
        at              TEXT NOT NULL
    );
    INSERT INTO report_notes_new (id, report_id, reviewer_id, body, at)
        SELECT n.id, m.new_id, n.reviewer_id, n.body, n.at
        FROM report_notes n JOIN report_ids m ON m.old_id = n.report_id ORDER BY n.id;

    DROP TABLE report_attachments;
    DROP TABLE report_messages;
    DROP TABLE report_notes;
    DROP TABLE reports;
    DROP TABLE report_ids;
    ALTER TABLE reports_new RENAME TO reports;
    ALTER TABLE report_attachments_new RENAME TO report_attachments;
    ALTER TABLE report_messages_new RENAME TO report_messages;
    ALTER TABLE report_notes_new RENAME TO report_notes;
    CREATE INDEX reports_status ON reports (status, submitted_on);

    UPDATE report_audit SET detail = NULL WHERE action = 'export';
    """,
    # 8: no Telegram message id outlives its use (the gap between two ids of one chat counts
    # the messages in between) and no concluded outbox row keeps a time of its own
    """
    UPDATE outbox SET message_id = NULL, updated_at = NULL;
    UPDATE outbox SET next_attempt_at = NULL WHERE status != 'pending';
    UPDATE quiz_sessions SET message_id = NULL WHERE status != 'active';
    UPDATE campaigns SET progress_message = NULL WHERE status != 'running';
    """,
]
