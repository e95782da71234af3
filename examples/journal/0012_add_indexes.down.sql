-- Undo 0012: drop the indexes.
DROP INDEX day_tags_tag_idx;
DROP INDEX professional_entries_day_created_idx;
DROP INDEX personal_entries_day_created_idx;
