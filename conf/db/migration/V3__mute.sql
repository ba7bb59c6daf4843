-- docs/protocol.md §4: a member may mute a conversation. A muted conversation still delivers and counts
-- unread; it only sends no offline push to that member.
ALTER TABLE members ADD COLUMN muted boolean NOT NULL DEFAULT false;
