-- Accounts. username_key is the case-insensitive identity of a username.
CREATE TABLE users (
  uid           text PRIMARY KEY,
  username      text   NOT NULL,
  username_key  text   NOT NULL UNIQUE,
  password_hash text   NOT NULL,
  display_name  text   NOT NULL,
  avatar_url    text,
  created_at    bigint NOT NULL
);

-- One row per conversation. max_seq is the durable seq floor: it is raised in the same statement
-- that stores messages, so a re-seeded Redis counter always starts above every stored seq.
CREATE TABLE conversations (
  conv       text   PRIMARY KEY,
  type       text   NOT NULL CHECK (type IN ('p2p', 'group', 'room')),
  name       text,
  max_seq    bigint NOT NULL DEFAULT 0,
  last_ts    bigint,
  created_at bigint NOT NULL
);

-- Read diffusion: per-member cursors, not per-member copies of messages.
CREATE TABLE members (
  conv     text   NOT NULL REFERENCES conversations (conv),
  uid      text   NOT NULL,
  role     text   NOT NULL DEFAULT 'member',
  join_seq bigint NOT NULL DEFAULT 0,
  read_seq bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (conv, uid)
);
CREATE INDEX members_by_uid ON members (uid);

-- One row per message. (conv, seq) is the last guard against two owners racing: a colliding insert
-- is retried with a new seq, a stored message is never overwritten. (sender, cmid) makes send idempotent.
CREATE TABLE messages (
  conv     text    NOT NULL,
  seq      bigint  NOT NULL,
  mid      text    NOT NULL UNIQUE,
  sender   text    NOT NULL,
  device   text    NOT NULL,
  cmid     text    NOT NULL,
  kind     text    NOT NULL,
  body     jsonb,
  ts       bigint  NOT NULL,
  recalled boolean NOT NULL DEFAULT false,
  PRIMARY KEY (conv, seq)
);
CREATE UNIQUE INDEX messages_by_sender_cmid ON messages (sender, cmid);

-- Uploaded media, deduplicated by content hash.
CREATE TABLE media (
  sha256     text   PRIMARY KEY,
  mime       text   NOT NULL,
  size       bigint NOT NULL,
  data       bytea  NOT NULL,
  created_at bigint NOT NULL
);
