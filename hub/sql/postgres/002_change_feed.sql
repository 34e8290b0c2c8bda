-- Change feed between hubs (hub/src/store/README.md, "Several hubs"): every hub keeps the collections in
-- memory, so each must learn what the others committed. Triggers (not the hub's statement) mark every
-- write, so a write of any origin (a round, a conditional write, `vigil-hub migrate`, hand-made SQL)
-- reaches the other hubs.
--
-- `txid` is the writing transaction (pg_current_xact_id()), `hub` the writing hub (the connection's
-- `vigil.hub` setting). A reader keeps the xmin of its last snapshot: every transaction below it had
-- finished, so rows with `txid >= xmin` are all it may not have seen, whatever order transactions
-- committed in (a plain sequence would skip a number taken by a transaction that commits later).
ALTER TABLE vigil_collections
  ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  ADD COLUMN hub text,
  -- A device's last applied per-device sequence (agent outbox), kept outside the document so that the
  -- round's upsert can refuse an older message's write under the row lock (see pg-writer.ts).
  ADD COLUMN seq_epoch text,
  ADD COLUMN seq_last bigint;
CREATE INDEX vigil_collections_txid ON vigil_collections (txid);

-- Deleted records, for the hubs still holding them; one row per key at most (a put removes it).
-- Pruned after a day: a hub whose feed was away longer reloads whole collections.
CREATE TABLE vigil_tombstones (
  collection text NOT NULL,
  id text NOT NULL,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  hub text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection, id)
);
CREATE INDEX vigil_tombstones_txid ON vigil_tombstones (txid);

CREATE FUNCTION vigil_collections_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.txid := pg_current_xact_id();
  NEW.hub := current_setting('vigil.hub', true);
  IF TG_OP = 'INSERT' THEN
    DELETE FROM vigil_tombstones WHERE collection = NEW.collection AND id = NEW.id;
  END IF;
  -- Identical notifications of one transaction are delivered once, at commit.
  PERFORM pg_notify('vigil_changes', coalesce(NEW.hub, ''));
  RETURN NEW;
END $$;

CREATE FUNCTION vigil_collections_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO vigil_tombstones AS t (collection, id, hub)
  VALUES (OLD.collection, OLD.id, current_setting('vigil.hub', true))
  ON CONFLICT (collection, id) DO UPDATE SET txid = pg_current_xact_id(), hub = excluded.hub, at = now();
  PERFORM pg_notify('vigil_changes', coalesce(current_setting('vigil.hub', true), ''));
  RETURN OLD;
END $$;

CREATE TRIGGER vigil_collections_written BEFORE INSERT OR UPDATE ON vigil_collections
  FOR EACH ROW EXECUTE FUNCTION vigil_collections_written();
CREATE TRIGGER vigil_collections_deleted AFTER DELETE ON vigil_collections
  FOR EACH ROW EXECUTE FUNCTION vigil_collections_deleted();

-- Device events unique by (device, epoch, seq): a message delivered to two hubs is logged once.
ALTER TABLE vigil_logs ADD COLUMN dedup text;
CREATE UNIQUE INDEX vigil_logs_dedup ON vigil_logs (log, dedup) WHERE dedup IS NOT NULL;
