-- Indexes for the common reads: a day's entries in order, and the days carrying a tag.
-- (PostgreSQL does not index foreign keys by itself; these also speed up ON DELETE CASCADE.)
CREATE INDEX personal_entries_day_created_idx ON personal_entries (day_id, created_at);
CREATE INDEX professional_entries_day_created_idx ON professional_entries (day_id, created_at);
CREATE INDEX day_tags_tag_idx ON day_tags (tag_id);
