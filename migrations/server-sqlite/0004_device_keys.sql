-- Teduh sync server on SQLite, schema 4: every device has its own keys (trust 2/3).
-- Numbered files are never edited once landed; add a new file instead.
--
-- The passphrase never leaves a device: the server no longer keeps passphrase-wrapped private
-- keys, KDF parameters or a verifier a passphrase could be guessed against. Devices authenticate
-- with their bearer token; each device's public keys are stored with it (a key manager admits
-- them into the signed roster), and team keys are sealed to devices, not members. An invitation
-- made for an existing member (member_id) adds a further device of hers.
--
-- A clean break of the sync format: envelopes sealed to members cannot be opened by devices, so
-- they are dropped (no deployed users; devices re-join, see docs/decisions/0005).
ALTER TABLE devices ADD COLUMN public_keys BLOB NOT NULL DEFAULT X'';
UPDATE devices SET public_keys = (SELECT m.public_keys FROM members m WHERE m.id = devices.member_id);
ALTER TABLE members DROP COLUMN public_keys;
ALTER TABLE members DROP COLUMN wrapped_keys;
ALTER TABLE members DROP COLUMN kdf_params;
ALTER TABLE members DROP COLUMN verifier;
ALTER TABLE invitations ADD COLUMN member_id INTEGER REFERENCES members(id);
-- An invitation a key manager's device made carries a package encrypted under a key derived
-- from its secret (the server cannot read it), and the device that joined with it the proof
-- that it holds that secret, which the key manager's device checks before it admits the device.
ALTER TABLE invitations ADD COLUMN package BLOB;
ALTER TABLE devices ADD COLUMN join_proof BLOB;

DROP TABLE team_key_envelopes;
CREATE TABLE team_key_envelopes (
    team_id   INTEGER NOT NULL REFERENCES teams(id),
    epoch     INTEGER NOT NULL,
    device_id INTEGER NOT NULL REFERENCES devices(id),
    envelope  BLOB NOT NULL,
    PRIMARY KEY (team_id, epoch, device_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX team_key_envelopes_device ON team_key_envelopes(device_id, epoch);

-- A mailbox between devices of a team: a device reports the security alarms it raised to the
-- team's key managers' devices, each message sealed to its recipient's key and signed by its
-- sender (opaque here). A recipient reads its own messages after a cursor.
CREATE TABLE device_messages (
    id         INTEGER PRIMARY KEY,
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    recipient  INTEGER NOT NULL REFERENCES devices(id),
    sender     INTEGER NOT NULL REFERENCES devices(id),
    body       BLOB NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX device_messages_recipient ON device_messages(recipient, id);
