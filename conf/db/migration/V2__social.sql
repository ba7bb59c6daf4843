-- When a user was last visibly online (ms): written when their going offline is announced.
ALTER TABLE users ADD COLUMN last_seen bigint;

-- Pending friend requests only: accepting or rejecting deletes the row. One per direction and pair.
CREATE TABLE friend_requests (
  request_id text   PRIMARY KEY,
  from_uid   text   NOT NULL REFERENCES users (uid),
  to_uid     text   NOT NULL REFERENCES users (uid),
  message    text,
  created_at bigint NOT NULL,
  UNIQUE (from_uid, to_uid)
);
CREATE INDEX friend_requests_incoming ON friend_requests (to_uid, created_at);

-- One row per direction, so that "friends of uid" is one index range; both rows come and go together.
CREATE TABLE friendships (
  uid    text   NOT NULL REFERENCES users (uid),
  friend text   NOT NULL REFERENCES users (uid),
  since  bigint NOT NULL,
  PRIMARY KEY (uid, friend)
);

-- uid has blocked "blocked".
CREATE TABLE blocks (
  uid        text   NOT NULL REFERENCES users (uid),
  blocked    text   NOT NULL REFERENCES users (uid),
  created_at bigint NOT NULL,
  PRIMARY KEY (uid, blocked)
);
