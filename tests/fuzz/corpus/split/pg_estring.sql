SELECT E'it\'s;'; SELECT E'a'
'\';';