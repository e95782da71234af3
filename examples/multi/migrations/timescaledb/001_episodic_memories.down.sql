DROP TABLE IF EXISTS episodic_memories;
