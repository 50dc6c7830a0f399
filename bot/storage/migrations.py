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
]
