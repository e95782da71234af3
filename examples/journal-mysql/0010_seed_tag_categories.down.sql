-- Undo 0010: remove the default tag categories (tags in them become uncategorised).
DELETE FROM tag_categories
 WHERE name IN ('people', 'places', 'activities', 'health', 'work');
