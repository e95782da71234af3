-- Indexes for the common reads: a day's entries in order, and the days carrying a tag.

-- Each new index also serves a foreign key, so it replaces the plain foreign-key index in
-- the same statement (InnoDB refuses to drop an index a foreign key needs, error 1553).
ALTER TABLE personal_entries
    ADD INDEX personal_entries_day_created_idx (day_id, created_at),
    DROP INDEX personal_entries_day_id_idx;
ALTER TABLE professional_entries
    ADD INDEX professional_entries_day_created_idx (day_id, created_at),
    DROP INDEX professional_entries_day_id_idx;
ALTER TABLE day_tags
    ADD INDEX day_tags_tag_idx (tag_id, day_id),
    DROP INDEX day_tags_tag_id_idx;
