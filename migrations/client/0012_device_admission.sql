-- Teduh local store, schema 12: every device has its own keys, so a key manager admits devices,
-- not members (trust 2/3). Numbered files are never edited once landed; add a new file instead.
--
-- On a key manager's device: the devices the server lists but the signed roster does not
-- (pending: they wait with no key; a further device of a member already in the team waits
-- too), as the server last listed them, and her admissions, each with the keys she confirmed by
-- typing the safety number the newcomer's screen shows. The member-level tables of schema 11
-- go: their keys were a member's, which no longer exist (a clean break; see
-- docs/decisions/0005).
DROP TABLE pending_member;
DROP TABLE admitted_member;

CREATE TABLE pending_device (
    device        INTEGER PRIMARY KEY,
    member        INTEGER NOT NULL,
    username      TEXT NOT NULL,
    role          TEXT NOT NULL,
    public_keys   BLOB NOT NULL,
    first_seen    INTEGER NOT NULL,
    wrong_entries INTEGER NOT NULL DEFAULT 0,
    blocked       INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX pending_device_username ON pending_device(username);

CREATE TABLE admitted_device (
    device      INTEGER PRIMARY KEY,
    member      INTEGER NOT NULL,
    username    TEXT NOT NULL,
    role        TEXT NOT NULL,
    public_keys BLOB NOT NULL,
    admitted_at INTEGER NOT NULL
) STRICT;

-- On a key manager's device: the invitations it made (trust 2/3). The invitation key (derived
-- from the secret in the code) is sealed to this device's own X25519 key; used_by is the device
-- admitted with it: an invitation admits one device, once.
CREATE TABLE invitation_made (
    id         TEXT PRIMARY KEY,
    sealed_key BLOB NOT NULL,
    username   TEXT NOT NULL,
    role       TEXT NOT NULL,
    level      INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_by    INTEGER
) STRICT;

-- On a device that joined with such an invitation: the roster its inviter's device held (version
-- and hash), which is the first roster this device accepts, whatever the server shows.
CREATE TABLE invitation_anchor (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    invitation     TEXT NOT NULL,
    inviter_device INTEGER NOT NULL,
    inviter_x25519 TEXT NOT NULL,
    roster_version INTEGER NOT NULL,
    roster_hash    TEXT NOT NULL
) STRICT;

-- Alarms travel to the team's key managers (trust 2/3): this device's own alarms are reported
-- once (reported_at), sealed to each key manager's device through the server's mailbox; a key
-- manager's device keeps the reports it received (verified: signed by a device its roster lists)
-- and reads its mailbox after report_cursor.
ALTER TABLE security_alarm ADD COLUMN reported_at INTEGER;
ALTER TABLE sync_binding ADD COLUMN report_cursor INTEGER NOT NULL DEFAULT 0;
CREATE TABLE alarm_report (
    id          INTEGER PRIMARY KEY,
    reporter    INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    subject     INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    detail      TEXT NOT NULL,
    raised_at   INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    verified    INTEGER NOT NULL,
    UNIQUE (reporter, kind, subject, seq)
) STRICT;

-- On an administrator's device: the organisation root key (trust 2/3), sealed to this device's
-- own X25519 key, and the members she decided to grant a key-manager role to (the roster her
-- device signs next carries the organisation key's grants for them).
CREATE TABLE org_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    public_key TEXT NOT NULL,
    sealed     BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE org_grant_decision (
    member     INTEGER PRIMARY KEY,
    decided_at INTEGER NOT NULL
) STRICT;
