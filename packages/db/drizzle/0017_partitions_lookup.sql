-- teleops_ensure_partitions (0015) took its advisory lock for every time outside a weekly partition's name, that is
-- for every batch of alerts older than the weekly window: a coverage check without the lock comes first now. The
-- function is otherwise unchanged.
CREATE OR REPLACE FUNCTION "teleops_ensure_partitions"(parent text, stamps timestamptz[],
    weekly_from timestamptz DEFAULT now() - interval '90 days')
  RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  stamp timestamptz;
  week timestamptz;
  low timestamptz;
  high timestamptz;
  part text;
  created integer := 0;
  locked boolean := false;
BEGIN
  FOR stamp IN SELECT DISTINCT s FROM unnest(stamps) AS s WHERE s IS NOT NULL LOOP
    week := date_trunc('week', stamp, 'UTC');
    -- The common case: this week's partition exists (a catalog lookup, no lock).
    CONTINUE WHEN to_regclass(format('%I', parent || '_p' || to_char(week AT TIME ZONE 'UTC', 'YYYYMMDD'))) IS NOT NULL;
    -- Older history lives in gap partitions named otherwise: covered already is the usual answer, found without the
    -- lock (taking it on every insert of old alerts serialized imports and held up each delivery of old events).
    CONTINUE WHEN NOT locked
      AND EXISTS (SELECT 1 FROM teleops_partitions(parent) p WHERE stamp >= p.lower_bound AND stamp < p.upper_bound);
    IF NOT locked THEN
      -- One creator at a time per table; a second waits, then finds the partition made.
      PERFORM pg_advisory_xact_lock(hashtext('teleops_partitions:' || parent));
      locked := true;
    END IF;
    CONTINUE WHEN EXISTS (SELECT 1 FROM teleops_partitions(parent) p WHERE stamp >= p.lower_bound AND stamp < p.upper_bound);
    IF week >= date_trunc('week', weekly_from, 'UTC') THEN
      low := week;
      high := week + interval '7 days';
      part := parent || '_p' || to_char(low AT TIME ZONE 'UTC', 'YYYYMMDD');
    ELSE
      SELECT coalesce(max(p.upper_bound), '-infinity') INTO low FROM teleops_partitions(parent) p WHERE p.upper_bound <= stamp;
      SELECT least(coalesce(min(p.lower_bound), 'infinity'), date_trunc('week', weekly_from, 'UTC')) INTO high
        FROM teleops_partitions(parent) p WHERE p.lower_bound > stamp;
      part := parent || '_until_' || to_char(high AT TIME ZONE 'UTC', 'YYYYMMDD');
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)', part, parent);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%L)', parent, part,
      CASE WHEN low = '-infinity' THEN 'MINVALUE' ELSE quote_literal(low) END, high);
    created := created + 1;
  END LOOP;
  RETURN created;
END
$$;
