-- Token revocation (docs/architecture.md, "Accounts and tokens"). A token carries the generation of its user at
-- issue; logout-all raises it, so every older token is refused. closed_at marks a deleted account: the row stays,
-- so that its messages keep their sender and its username is never handed to somebody else.
ALTER TABLE users ADD COLUMN token_generation bigint NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN closed_at bigint;

-- Single tokens logged out before they expire; rows past expires_at (ms) are of no use and are purged.
CREATE TABLE revoked_tokens (
  token_id   text   PRIMARY KEY,
  uid        text   NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at);

-- Media are deduplicated by content and type together: the same bytes uploaded as another type are another
-- file, so nobody's upload is ever served with somebody else's Content-Type.
ALTER TABLE media ADD COLUMN id text;
UPDATE media SET id = sha256;
ALTER TABLE media DROP CONSTRAINT media_pkey;
ALTER TABLE media ALTER COLUMN id SET NOT NULL;
ALTER TABLE media ADD PRIMARY KEY (id);
