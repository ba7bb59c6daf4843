-- docs/protocol.md §3 "Replies and threads". reply_to quotes a message of the same conversation; thread names
-- the root a comment is posted under (never itself a comment). A root's reply_count and last_reply_ts are raised by
-- the owner's group-commit insert in the same statement as its comments, so they never race. Recalled comments
-- stay counted, as they stay listed (as tombstones) in their thread. All new columns are nullable or have a
-- constant default, so adding them rewrites no existing row.
ALTER TABLE messages ADD COLUMN reply_to bigint;
ALTER TABLE messages ADD COLUMN thread bigint;
ALTER TABLE messages ADD COLUMN reply_count integer NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN last_reply_ts bigint;
CREATE INDEX messages_by_thread ON messages (conv, thread, seq) WHERE thread IS NOT NULL;

-- docs/protocol.md §4 "To-dos": at most one to-do per message, set (and only changed or removed) by set_by, with one
-- row per assignee holding that assignee's done flag. Rows of a recalled message, or of an assignee who is no
-- longer a member (or rejoined above the message), are not shown: reads filter them, so a recall or a departure
-- needs no extra write here.
CREATE TABLE todos (
  conv   text   NOT NULL,
  seq    bigint NOT NULL,
  set_by text   NOT NULL,
  set_at bigint NOT NULL,
  due_ts bigint,
  PRIMARY KEY (conv, seq)
);

CREATE TABLE todo_assignees (
  conv text    NOT NULL,
  seq  bigint  NOT NULL,
  uid  text    NOT NULL,
  done boolean NOT NULL DEFAULT false,
  PRIMARY KEY (conv, seq, uid),
  FOREIGN KEY (conv, seq) REFERENCES todos (conv, seq) ON DELETE CASCADE
);
CREATE INDEX todo_assignees_by_uid ON todo_assignees (uid);
