-- The disposition code an agent closed a case with (the operator's list);
-- '' when none was given, and for cases archived before this column.
ALTER TABLE cases ADD COLUMN disposition TEXT NOT NULL DEFAULT '';
