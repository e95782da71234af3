DROP TABLE IF EXISTS skill_progressions;
