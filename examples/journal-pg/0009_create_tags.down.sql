-- Undo 0009: drop the tagging tables, the join table first.
DROP TABLE day_tags;
DROP TABLE tags;
DROP TABLE tag_categories;
