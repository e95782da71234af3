-- Undo 0012: put the plain foreign-key indexes back and drop the new ones, again one
-- statement per table so that each foreign key always has an index.
ALTER TABLE day_tags
    ADD INDEX day_tags_tag_id_idx (tag_id),
    DROP INDEX day_tags_tag_idx;
ALTER TABLE professional_entries
    ADD INDEX professional_entries_day_id_idx (day_id),
    DROP INDEX professional_entries_day_created_idx;
ALTER TABLE personal_entries
    ADD INDEX personal_entries_day_id_idx (day_id),
    DROP INDEX personal_entries_day_created_idx;
