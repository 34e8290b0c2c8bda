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
-- `hub`: a hub reading a log shows its own uncommitted entries from memory and everybody's committed
-- ones from here, without showing its own round that commits during the read twice (pg-parts.ts).
ALTER TABLE vigil_logs ADD COLUMN dedup text, ADD COLUMN hub text;
ALTER TABLE vigil_logs ALTER COLUMN hub SET DEFAULT current_setting('vigil.hub', true);
CREATE UNIQUE INDEX vigil_logs_dedup ON vigil_logs (log, dedup) WHERE dedup IS NOT NULL;

-- Documents too: a hub must know that another stored an inventory, a hardening report or a keyed
-- document (tombstones under 'blob:<kind>' / 'doc:<store>').
ALTER TABLE vigil_blobs ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id(), ADD COLUMN hub text;
CREATE INDEX vigil_blobs_txid ON vigil_blobs (txid);
ALTER TABLE vigil_docs ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id(), ADD COLUMN hub text;
CREATE INDEX vigil_docs_txid ON vigil_docs (txid);

CREATE FUNCTION vigil_documents_written() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  name text;
  k text;
BEGIN
  -- Each branch is planned only when taken: NEW has the columns of its own table.
  IF TG_TABLE_NAME = 'vigil_blobs' THEN
    name := 'blob:' || NEW.kind;
    k := NEW.hash;
  ELSE
    name := 'doc:' || NEW.store;
    k := NEW.key;
  END IF;
  NEW.txid := pg_current_xact_id();
  NEW.hub := current_setting('vigil.hub', true);
  IF TG_OP = 'INSERT' THEN
    DELETE FROM vigil_tombstones WHERE collection = name AND id = k;
  END IF;
  PERFORM pg_notify('vigil_changes', coalesce(NEW.hub, ''));
  RETURN NEW;
END $$;

CREATE FUNCTION vigil_documents_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  name text;
  k text;
BEGIN
  IF TG_TABLE_NAME = 'vigil_blobs' THEN
    name := 'blob:' || OLD.kind;
    k := OLD.hash;
  ELSE
    name := 'doc:' || OLD.store;
    k := OLD.key;
  END IF;
  INSERT INTO vigil_tombstones AS t (collection, id, hub)
  VALUES (name, k, current_setting('vigil.hub', true))
  ON CONFLICT (collection, id) DO UPDATE SET txid = pg_current_xact_id(), hub = excluded.hub, at = now();
  PERFORM pg_notify('vigil_changes', coalesce(current_setting('vigil.hub', true), ''));
  RETURN OLD;
END $$;

CREATE TRIGGER vigil_blobs_written BEFORE INSERT OR UPDATE ON vigil_blobs
  FOR EACH ROW EXECUTE FUNCTION vigil_documents_written();
CREATE TRIGGER vigil_blobs_deleted AFTER DELETE ON vigil_blobs
  FOR EACH ROW EXECUTE FUNCTION vigil_documents_deleted();
CREATE TRIGGER vigil_docs_written BEFORE INSERT OR UPDATE ON vigil_docs
  FOR EACH ROW EXECUTE FUNCTION vigil_documents_written();
CREATE TRIGGER vigil_docs_deleted AFTER DELETE ON vigil_docs
  FOR EACH ROW EXECUTE FUNCTION vigil_documents_deleted();
