-- Undo 0008: drop the intentions table.
DROP TABLE intentions;
