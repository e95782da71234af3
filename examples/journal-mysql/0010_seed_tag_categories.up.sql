-- Data migration: the default tag categories every installation starts with.
INSERT INTO tag_categories (name, description) VALUES
    ('people',     'Who you spent time with'),
    ('places',     'Where you were'),
    ('activities', 'What you did'),
    ('health',     'Sleep, sport, symptoms'),
    ('work',       'Projects and meetings');
