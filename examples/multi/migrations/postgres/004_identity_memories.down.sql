DROP TABLE IF EXISTS identity_memories;
