DROP TABLE IF EXISTS procedural_memories;
