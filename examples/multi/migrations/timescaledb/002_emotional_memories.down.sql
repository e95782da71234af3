DROP TABLE IF EXISTS emotional_memories;
