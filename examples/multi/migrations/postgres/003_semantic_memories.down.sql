DROP TABLE IF EXISTS semantic_memories;
